"""`make loadtest` machinery, run for a few seconds so it cannot rot (the real run is 20 s or more)."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.paths import ROOT


def test_loadtest_passes_a_short_run_with_editors_saving_under_load():
    if not shutil.which("wrk"):
        pytest.fail("wrk is not installed: `make test` installs Debian's wrk (or: apt-get install wrk).")
    command = [sys.executable, "-m", "bench.loadtest", "--duration", "3", "--size", "30"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        command += ["--database-url", os.environ["DATABASE_URL"]]  # row locks on PostgreSQL, not SQLite's
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.rstrip().endswith("PASS")
    requests = int(re.search(r"public pages: (\d+) requests", result.stdout).group(1))
    saves = int(re.search(r"editors: (\d+) saves accepted", result.stdout).group(1))
    read = int(re.search(r"readers: (\d+) edited posts read", result.stdout).group(1))
    assert requests > 0 and saves > 0 and read > 0
    assert "5xx: 0" in result.stdout
