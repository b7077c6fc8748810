"""Bunko in other processes, as an operator runs it: production's environment, `manage.py`, and a database that
several processes share (a SQLite file, or a throwaway PostgreSQL database when the suite runs on PostgreSQL)."""

import contextlib
import os
import secrets
import subprocess
import sys
from urllib.parse import urlencode, urlsplit

import psycopg

from tests.paths import ROOT


def production_env(**overrides):
    """The environment of a production process: DEBUG and every security override unset, a strong key, no .env."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "PLAIN_HTTP", "REDIS_URL", "CONN_MAX_AGE", "ADMIN_URL_PATH"}
        and not key.startswith(("SECURE_", "LOGIN_", "DJANGO_"))
    }
    # BUNKO_ENV_FILE= : manage.py would otherwise read the .env that `make run` left in a developer's checkout.
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="bunko.example", PYTHONPATH=str(ROOT))
    env.update(BUNKO_ENV_FILE="")
    env.update(overrides)
    return env


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def postgres_url(database="postgres", **params):
    """The PostgreSQL server CI and production use: DATABASE_URL's when it is PostgreSQL, else the local one."""
    configured = os.environ.get("DATABASE_URL", "")
    base = configured if urlsplit(configured).scheme.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/"
    return urlsplit(base)._replace(path=f"/{database}", query=urlencode(params)).geturl()


@contextlib.contextmanager
def shared_database(folder):
    """The URL of a database for processes started with production_env(), dropped afterwards."""
    configured = os.environ.get("DATABASE_URL", "")
    if not urlsplit(configured).scheme.startswith("postgres"):
        yield f"sqlite:///{folder / 'shared.sqlite3'}"
        return
    name = f"bunko_shared_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with psycopg.connect(postgres_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
