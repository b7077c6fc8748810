"""A real SMTP server (aiosmtpd, in its own process on a free loopback port) that the tests read mail from."""

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.utils import timezone

from blog.models import Subscriber

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://bunko.test"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    """Start aiosmtpd, point Django's SMTP backend at it, stop it (by its PID) after the test."""
    directory = tmp_path / "inbox"
    directory.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "tests.mail.smtp_sink.Recorder",
         str(directory)],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("aiosmtpd did not start")
            time.sleep(0.05)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Bunko <essays@bunko.test>"
    settings.BUNKO_SITE_URL = SITE_URL
    # One sender, in the test's own thread and transaction (others would not see the test's rows on PostgreSQL).
    settings.BUNKO_MAIL_CONNECTIONS = 1
    yield Inbox(directory, port)
    process.terminate()
    process.wait(timeout=10)


def make_subscriber(email, languages=("en",), interface_language=None, **fields):
    """A confirmed subscriber (confirmed a day ago, before any essay the test publishes)."""
    fields.setdefault("state", Subscriber.State.CONFIRMED)
    if fields["state"] == Subscriber.State.CONFIRMED:
        fields.setdefault("confirmed_at", timezone.now() - timezone.timedelta(days=1))
    return Subscriber.objects.create(
        email=email, languages=list(languages), interface_language=interface_language or languages[0], **fields
    )
