#!/usr/bin/env python
"""Django's command-line utility for Bunko."""

import os
import sys
from pathlib import Path


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The local development settings `make run` writes (README.md, Configuration). Only manage.py reads them:
    # gunicorn (config.wsgi) and pytest never do. BUNKO_ENV_FILE names another file; empty, none.
    local_env = Path(__file__).resolve().parent / ".env"
    if local_env.exists():
        os.environ.setdefault("BUNKO_ENV_FILE", str(local_env))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
