"""A real SMTP server (aiosmtpd, in its own process on a free loopback port) that the tests read mail from."""

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from harness.servers import HOST
from harness.servers import smtp_server as start_smtp_server

SITE_URL = "https://bunko.test"  # what the emails link to


@dataclass
class Inbox:
    """What the SMTP server accepted, oldest first, as parsed messages."""

    directory: Path
    port: int

    def messages(self, to=None):
        parser = BytesParser(policy=policy.default)
        found = [parser.parsebytes(path.read_bytes()) for path in sorted(self.directory.iterdir())]
        return [message for message in found if to is None or message["To"] == to]


@pytest.fixture
def smtp_server(tmp_path, settings):
    """aiosmtpd keeping what it accepts (tests/mail/smtp_sink.py), with Django's SMTP backend pointed at it."""
    directory = tmp_path / "inbox"
    directory.mkdir()
    with start_smtp_server("tests.mail.smtp_sink.Recorder", str(directory)) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "Bunko <essays@bunko.test>"
        settings.BUNKO_SITE_URL = SITE_URL
        # One sender, in the test's own thread and transaction (others would not see the test's rows on PostgreSQL).
        settings.BUNKO_MAIL_CONNECTIONS = 1
        yield Inbox(directory, server.port)
