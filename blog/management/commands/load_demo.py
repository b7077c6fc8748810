"""`manage.py load_demo`: import the demo essays through the importer and make sure an admin exists.

Idempotent: the importer matches the demo files it loaded before and leaves them (and any edits made
to them in the admin) alone, and an existing superuser is kept. A demo essay deleted in the admin comes
back, though, so `make run` passes --new-database-only: it loads the demo into a database nobody has used
yet, and `make demo` loads it again on purpose.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from blog.management.commands.import_markdown import write_report
from blog.models import Post
from blog.portability.importer import import_paths

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load the demo essays (idempotent) and create an admin user if there is none."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Where the site is served, for the login hint."
        )
        parser.add_argument(
            "--new-database-only",
            action="store_true",
            help="Do nothing if the database has any post or user account (make run; make demo loads it anyway).",
        )

    def handle(self, *args, **options):
        if options["new_database_only"] and (Post.objects.exists() or get_user_model().objects.exists()):
            self.stdout.write("The database is in use, so the demo essays were not loaded; `make demo` loads them.")
            return
        report = import_paths(paths=[DEMO_DIR], update_existing=False)
        write_report(self, report, verbosity=options["verbosity"])
        if report.failed:
            raise CommandError("The demo content did not load completely; see the messages above.")
        self.ensure_admin(options["base_url"].rstrip("/"))

    def ensure_admin(self, base_url):
        User = get_user_model()
        login_url = f"{base_url}/{settings.ADMIN_URL_PATH}"
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(f"An admin user already exists; log in at {login_url}")
            return
        if User.objects.filter(username="admin").exists():
            raise CommandError("A user named 'admin' exists but is not a superuser; run createsuperuser instead.")
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", email="", password=password)
        self.stdout.write(f"Admin login: {login_url} user admin password {password}")
