"""What every bench run starts from: a throwaway database, production's environment for it, the site migrated and
seeded there, manage.py run with that environment; and how the runs report progress and give up."""

import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

from harness.servers import HOST, ROOT


class BenchError(Exception):
    """The machinery itself failed (server would not start, wrk missing): no numbers to report."""


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@contextmanager
def throwaway_database(database_url, size, workdir):
    """Yield the URL of an empty database that is removed afterwards; the database named is never written."""
    if not database_url:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise BenchError(f"--database-url must be PostgreSQL (or omitted for SQLite), not {parts.scheme!r}.")
    import psycopg

    name = f"bunko_bench_{os.getpid()}_{size}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_environment(workdir, database_url):
    """Production settings: DEBUG off, a fresh SECRET_KEY, only the loopback host allowed."""
    # Redis only with --redis-url; otherwise each worker caches in its own memory, as without REDIS_URL.
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        PLAIN_HTTP="1",  # served on http://127.0.0.1 like `make serve`: no redirect to HTTPS
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PYTHONPATH=str(ROOT),
        # Part of every page-cache key and ETag: no run is ever served what another run's database made.
        RELEASE=f"bench-{secrets.token_hex(8)}",
        # Not the .env of `make run`: manage.py would read its DEBUG=1.
        BUNKO_ENV_FILE="",
    )
    return env


def run_checked(command, env, what):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


def prepare(env, size):
    """Migrate, seed and collect static files; return the seconds seeding took."""
    manage = [sys.executable, "manage.py"]
    run_checked([*manage, "migrate", "--no-input", "-v", "0"], env, "migrate")
    started = time.monotonic()
    run_checked([*manage, "seed_posts", "--size", str(size)], env, "seed_posts")
    seeded = time.monotonic() - started
    run_checked([*manage, "collectstatic", "--no-input", "-v", "0"], env, "collectstatic")
    return seeded
