"""wrk, the load generator every bench run drives: one bounded run, and one page loaded as a table row."""

import json
import subprocess
import time
from pathlib import Path

from bench.environment import BenchError

BENCH_DIR = Path(__file__).resolve().parent


def wrk(url, *, duration, connections, headers=None, script="report.lua", script_args=()):
    """One bounded wrk run; returns report.lua's numbers (latencies in microseconds)."""
    command = [
        "wrk", "--threads", str(min(2, connections)), "--connections", str(connections),
        "--duration", f"{duration}s", "--timeout", "10s", "--script", str(BENCH_DIR / script),
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise BenchError(f"wrk printed no report ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def load_page(base_url, page, *, duration, connections, workers):
    stats = wrk(base_url + page["path"], duration=duration, connections=connections, headers=page["headers"])
    # Requests wrk sent but stopped waiting for are still being served; let them finish before the next page.
    time.sleep(min(30, stats["max_us"] / 1e6 * (1 + connections / workers)))
    seconds = stats["duration_us"] / 1e6
    return {
        "req_per_s": round(stats["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(stats["p50_us"] / 1000, 2),
        "p99_ms": round(stats["p99_us"] / 1000, 2),
        "requests": stats["requests"],
        "errors": stats["errors"],
    }
