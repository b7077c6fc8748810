#!/usr/bin/env python
"""Benchmark `manage.py send_newsletters`: confirmed subscribers in three languages, one essay published in three
versions, every email delivered to a local SMTP server (aiosmtpd, discarding what it accepts).

For each size: a throwaway database (as bench/run.py makes it: a SQLite file, or with --database-url a new
PostgreSQL database beside the one named) is migrated and seeded; then the command runs in its own process
and is timed from start to exit (Django's start-up included), its peak memory and CPU time read from the kernel
(wait4's ru_maxrss, ru_utime + ru_stime), and the SMTP server's CPU time over the same run from /proc. On a
machine shared with other jobs the time says little; CPU milliseconds per email say what an email costs. Two
sizes show whether memory stays flat as subscribers grow. Issue 27 asks >= 200 emails/s on 2 cores. Results go
to bench-results/newsletters-latest.json.

    python bench/newsletters.py                                   # 1,000 and 10,000 subscribers on SQLite
    python bench/newsletters.py --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from bench.environment import BenchError, bench_environment, run_checked, throwaway_database  # noqa: E402
from harness.servers import HOST, smtp_server  # noqa: E402

TARGET_EMAILS_PER_SECOND = 200
SEED = """
from datetime import timedelta
from django.utils import timezone
from blog.content import translation_drift
from blog.models import Author, Post, PostAuthor
from blog.models import Subscriber
languages = [["ja", "en"], ["zh-hans"], ["en", "ja"]]
confirmed = timezone.now() - timedelta(days=1)
Subscriber.objects.bulk_create(
    (Subscriber(email=f"reader{n}@example.org", languages=languages[n % 3], interface_language=languages[n % 3][0],
                state="confirmed", confirmed_at=confirmed) for n in range(SIZE)),
    batch_size=2000,
)
author = Author.objects.create(name="山田 花子")
body = open("blog/demo/posts/" + sorted(__import__("os").listdir("blog/demo/posts"))[0]).read().split("---", 2)[-1]
original = Post.objects.create(title="博士課程を振り返って", language="ja", body=body, status="published")
for language, title in [("en", "Looking back on my PhD"), ("zh-hans", "回顾我的博士生涯")]:
    Post.objects.create(title=title, language=language, body=body, status="published",
                        translation_key=original.translation_key, **translation_drift.base_fields(original))
for post in Post.objects.all():
    PostAuthor.objects.create(post=post, author=author)
"""


def cpu_seconds(pid):
    """User plus system CPU time a running process has used (Linux: /proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_size(size, database_url, port, sink_pid):
    with (
        tempfile.TemporaryDirectory(prefix="bunko-mail-bench-") as folder,
        throwaway_database(database_url, size, Path(folder)) as database,
    ):
        env = bench_environment(Path(folder), database)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings", SITE_URL="https://bunko.example", EMAIL_HOST=HOST,
            EMAIL_PORT=str(port), DEFAULT_FROM_EMAIL="essays@bunko.example",
        )  # fmt: skip
        manage = [sys.executable, "manage.py"]
        run_checked([*manage, "migrate", "--no-input", "-v", "0"], env, "migrate")
        run_checked([*manage, "shell", "--no-imports", "-c", SEED.replace("SIZE", str(size))], env, "seeding")
        sink_cpu = cpu_seconds(sink_pid)
        started = time.monotonic()
        sender = subprocess.Popen([*manage, "send_newsletters"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        _pid, status, usage = os.wait4(sender.pid, 0)
        seconds = time.monotonic() - started
        sink_cpu = cpu_seconds(sink_pid) - sink_cpu
        output = sender.stdout.read().strip()
        if os.waitstatus_to_exitcode(status) != 0:
            raise BenchError(f"send_newsletters failed: {output}")
        sent = int(output.split(" sent")[0])
    return {
        "subscribers": size,
        "sent": sent,
        "seconds": round(seconds, 2),
        "emails_per_second": round(sent / seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "sender_cpu_ms_per_email": round((usage.ru_utime + usage.ru_stime) * 1000 / max(sent, 1), 2),
        "sink_cpu_ms_per_email": round(sink_cpu * 1000 / max(sent, 1), 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="subscriber counts, comma-separated")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on")
    args = parser.parse_args(argv)
    database = "postgresql" if args.database_url else "sqlite"
    rows = []
    with smtp_server("aiosmtpd.handlers.Sink") as sink:  # accepts every message and discards it
        for size in map(int, args.sizes.split(",")):
            row = {"database": database, **run_size(size, args.database_url, sink.port, sink.process.pid)}
            row["meets_target"] = row["emails_per_second"] >= TARGET_EMAILS_PER_SECOND
            rows.append(row)
            print(
                f"{database:10} {row['subscribers']:>7} subscribers: {row['sent']} sent in {row['seconds']} s, "
                f"{row['emails_per_second']} emails/s (target >= {TARGET_EMAILS_PER_SECOND}), "
                f"peak memory {row['peak_rss_mb']} MB; CPU per email {row['sender_cpu_ms_per_email']} ms in the "
                f"sender (start-up included), {row['sink_cpu_ms_per_email']} ms in aiosmtpd; "
                f"load {row['load_average']}",
                flush=True,
            )
    output = ROOT / "bench-results"
    output.mkdir(exist_ok=True)
    (output / f"newsletters-{database}-latest.json").write_text(json.dumps(rows, indent=2))
    return 0 if all(row["meets_target"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
