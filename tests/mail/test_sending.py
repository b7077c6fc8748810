"""send_newsletters: one email per subscriber and essay across re-runs, crashes and concurrent senders;
retries with backoff, bounces, an unreachable server, and the forgetting of unconfirmed addresses."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.mail.sender import queue, send_newsletters
from blog.models import Delivery, Post, Subscriber
from harness.servers import free_port
from tests.factories import make_post, make_subscriber
from tests.mail.faults import SimulatedCrash
from tests.paths import ROOT
from tests.processes import manage, production_env, shared_database

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.django_db
def test_a_crash_before_the_server_has_the_email_loses_nothing(settings, smtp_server):
    make_subscriber("reader@example.org")
    make_post(title="An essay")
    settings.EMAIL_BACKEND = "tests.mail.faults.CrashBeforeSending"
    with pytest.raises(SimulatedCrash):
        send_newsletters()
    assert smtp_server.messages() == []

    settings.EMAIL_BACKEND = SMTP_BACKEND
    send_newsletters()
    send_newsletters()
    assert [message["Subject"] for message in smtp_server.messages()] == ["An essay"]
    assert Delivery.objects.get().state == Delivery.State.SENT


@pytest.mark.django_db
def test_a_crash_after_the_server_accepted_resends_the_same_message(settings, smtp_server):
    """The one window SMTP leaves open: the row was never marked, so the next run sends again (never zero),
    and the copy carries the first one's Message-ID, by which mailboxes show a single message."""
    make_subscriber("reader@example.org")
    make_post(title="An essay")
    settings.EMAIL_BACKEND = "tests.mail.faults.CrashAfterAccepted"
    with pytest.raises(SimulatedCrash):
        send_newsletters()
    assert len(smtp_server.messages()) == 1
    assert Delivery.objects.get().state == Delivery.State.QUEUED

    settings.EMAIL_BACKEND = SMTP_BACKEND
    send_newsletters()
    send_newsletters()
    first, resent = smtp_server.messages()
    assert resent["Message-ID"] == first["Message-ID"]
    assert Delivery.objects.get().state == Delivery.State.SENT


SEED = """
from datetime import timedelta
from django.utils import timezone
from blog.models import Author, Post, PostAuthor
from blog.models import Subscriber
confirmed = timezone.now() - timedelta(days=1)
Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{n}@example.org", languages=["en"], interface_language="en", state="confirmed",
               confirmed_at=confirmed)
    for n in range(%d)
)
post = Post.objects.create(title="An essay", language="en", body="Text.", status="published")
PostAuthor.objects.create(post=post, author=Author.objects.create(name="A. Writer"))
"""
COUNT_SENT = "from blog.models import Delivery; print(Delivery.objects.filter(state='sent').count())"


def test_two_sender_processes_at_once_send_each_email_once(smtp_server, tmp_path):
    """Two instances run the command at the same moment on one database (PostgreSQL: SKIP LOCKED)."""
    readers = 60
    with shared_database(tmp_path) as database:
        env = production_env(
            DATABASE_URL=database, SITE_URL="https://bunko.test", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_server.port),
        )  # fmt: skip
        assert manage(env, "migrate", "--no-input", "-v", "0").returncode == 0
        seeded = manage(env, "shell", "--no-imports", "-c", SEED % readers)
        assert seeded.returncode == 0, seeded.stderr
        command = [sys.executable, "manage.py", "send_newsletters"]
        senders = [subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for sender in senders:
            assert sender.wait(timeout=120) == 0, sender.stderr.read()
        counted = manage(env, "shell", "--no-imports", "-c", COUNT_SENT)
    recipients = [message["To"] for message in smtp_server.messages()]
    assert sorted(recipients) == sorted(f"reader{n}@example.org" for n in range(readers))
    assert int(counted.stdout) == readers


@pytest.mark.django_db
def test_queueing_twice_makes_one_delivery_per_reader(smtp_server):
    reader = make_subscriber("reader@example.org")
    make_post(title="An essay")
    now = timezone.now()
    assert queue(now) == 1
    assert queue(now) == 0
    delivery = Delivery.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(subscriber=reader, newsletter=delivery.newsletter)


@pytest.mark.django_db
def test_a_scheduled_essay_is_sent_when_its_time_comes(smtp_server, time_machine):
    make_subscriber("reader@example.org")
    scheduled = make_post(title="Tomorrow's essay", publish_at=timezone.now() + timedelta(days=1))
    send_newsletters()
    assert smtp_server.messages() == []
    time_machine.move_to(scheduled.publish_at + timedelta(minutes=1))
    send_newsletters()
    assert [message["Subject"] for message in smtp_server.messages()] == ["Tomorrow's essay"]


@pytest.mark.django_db
def test_essays_from_before_a_reader_confirmed_are_not_sent(smtp_server):
    make_post(title="Old essay", publish_at=timezone.now() - timedelta(days=30))
    make_subscriber("reader@example.org")  # confirmed a day ago
    send_newsletters()
    assert smtp_server.messages() == []


@pytest.mark.django_db
def test_a_temporary_refusal_is_retried_later_and_later(smtp_server, time_machine):
    make_subscriber("busy@example.org")
    make_post(title="An essay")
    send_newsletters()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (Delivery.State.QUEUED, 1)
    first_wait = delivery.next_attempt_at - timezone.now()

    send_newsletters()  # not due yet: no second attempt
    assert Delivery.objects.get().attempts == 1

    time_machine.move_to(delivery.next_attempt_at + timedelta(seconds=1))
    send_newsletters()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at - timezone.now() > first_wait
    assert "busy@example.org" not in delivery.last_error
    assert smtp_server.messages() == []


@pytest.mark.django_db
def test_a_permanent_refusal_marks_the_address_and_stops_mailing_it(smtp_server):
    bounced = make_subscriber("bounce@example.org")
    make_subscriber("reader@example.org")
    make_post(title="First essay", publish_at=timezone.now())
    send_newsletters()
    bounced.refresh_from_db()
    assert bounced.state == Subscriber.State.BOUNCED
    assert Delivery.objects.get(subscriber=bounced).state == Delivery.State.FAILED

    make_post(title="Second essay", publish_at=timezone.now())
    send_newsletters()
    assert [message["Subject"] for message in smtp_server.messages()] == ["First essay", "Second essay"]
    assert Delivery.objects.filter(subscriber=bounced).count() == 1


@pytest.mark.django_db
def test_an_unreachable_server_fails_the_command_and_keeps_every_delivery(settings, smtp_server):
    make_subscriber("reader@example.org")
    make_post(title="An essay")
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("send_newsletters")
    assert Delivery.objects.get().state == Delivery.State.QUEUED

    settings.EMAIL_PORT = smtp_server.port
    call_command("send_newsletters")
    assert len(smtp_server.messages()) == 1


@pytest.mark.django_db
def test_unconfirmed_addresses_are_forgotten_after_seven_days(smtp_server, time_machine):
    time_machine.move_to(timezone.now())
    make_subscriber("old@example.org", state=Subscriber.State.PENDING)
    time_machine.shift(timedelta(days=5))
    make_subscriber("new@example.org", state=Subscriber.State.PENDING)
    time_machine.shift(timedelta(days=2, minutes=1))
    assert send_newsletters().forgotten == 1
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["new@example.org"]


@pytest.mark.django_db
def test_an_essay_unpublished_after_queueing_is_not_sent(smtp_server):
    make_subscriber("reader@example.org")
    essay = make_post(title="Withdrawn essay")
    assert queue(timezone.now()) == 1
    essay.status = Post.Status.DRAFT
    essay.save()
    send_newsletters()
    assert smtp_server.messages() == []
    assert Delivery.objects.get().state == Delivery.State.FAILED
