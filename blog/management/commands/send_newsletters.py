"""`manage.py send_newsletters`, run every few minutes by cron or a timer: new essays reach subscribers by email.

Safe to run twice, at once on several instances, and after a crash (blog.mail.sender says how).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog.mail.sender import send_newsletters


class Command(BaseCommand):
    help = "Email each newly published essay to its subscribers, and forget addresses never confirmed."

    def handle(self, *args, **options):
        if not settings.BUNKO_SITE_URL:
            raise CommandError("Set SITE_URL (like https://bunko.example): emails link to the site.")
        report = send_newsletters()
        self.stdout.write(
            f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed; "
            f"{report.queued} queued; {report.forgotten} unconfirmed address(es) forgotten."
        )
        if report.server_unavailable:
            raise CommandError("The mail server could not be reached; what is left waits for the next run.")
