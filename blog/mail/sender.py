"""`manage.py send_newsletters`: queue each newly published essay's deliveries, send what is due, and exit.

Exactly one email per subscriber and essay rests on three things:
- a delivery row per (subscriber, essay) under a unique constraint, inserted with ON CONFLICT DO NOTHING, so
  queueing twice, or on two instances at once, makes no second row;
- one transaction per email that locks its row (PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent senders
  take different rows; SQLite: each write transaction waits its turn) as it marks it sent, then sends it, and
  commits once the server has accepted it. A sender that dies before rolls back, and the next run sends the
  email: never zero;
- a Message-ID fixed per delivery. The one window left is a crash after the server accepted the email and
  before the mark commits (microseconds): the row is still queued, so the next run sends it again, with the
  same Message-ID, which mail providers and clients use to show one message. SMTP gives a client no way to
  ask whether a message arrived, so no design closes that window without risking zero instead.

A temporary failure (4xx, a lost connection) is retried with a growing delay; a permanent one (5xx) marks the
address bounced and it is never mailed again. Rows are read in keyset chunks, so memory stays flat however
many subscribers there are.
"""

import logging
import queue as queues
import smtplib
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from blog.mail import letters
from blog.models import Delivery, Newsletter, Post, Subscriber

logger = logging.getLogger(__name__)

CHUNK = 500
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=2)
LONGEST_RETRY = timedelta(hours=6)
UNCONFIRMED_KEPT = timedelta(days=7)
DELIVERIES = Delivery._meta.db_table


@dataclass
class Report:
    forgotten: int = 0
    queued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    server_unavailable: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, outcome):
        with self.lock:
            setattr(self, outcome, getattr(self, outcome) + 1)


class Pacer:
    """At most `rate_per_minute` sends a minute across every connection of a run (0: no limit)."""

    def __init__(self, rate_per_minute):
        self.interval = 60 / rate_per_minute if rate_per_minute else 0
        self.next_send = time.monotonic()
        self.lock = threading.Lock()

    def wait(self):
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next_send)
            self.next_send = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def forget_unconfirmed(now):
    """Delete addresses that were never confirmed within a week: we keep nothing a reader did not agree to."""
    _total, by_model = Subscriber.objects.filter(
        state=Subscriber.State.PENDING, created_at__lt=now - UNCONFIRMED_KEPT
    ).delete()
    return by_model.get(Subscriber._meta.label, 0)


def due_essays(now):
    """Translation keys of essays published (their time come) since the first subscriber confirmed, not yet queued."""
    earliest = Subscriber.objects.confirmed().aggregate(first=Min("confirmed_at"))["first"]
    if earliest is None:
        return []
    queued = Newsletter.objects.filter(queued_at__isnull=False).values("translation_key")
    published = Post.objects.published(now).filter(publish_at__gte=earliest).exclude(translation_key__in=queued)
    return list(published.order_by().values_list("translation_key", flat=True).distinct())


def queue(now):
    """Create each due essay's newsletter and a delivery for every subscriber who follows it; the count made."""
    made = 0
    for key in due_essays(now):
        versions = list(Post.objects.published(now).filter(translation_key=key))
        original = min(versions, key=lambda post: (post.translated_from_id is not None, post.created_at, post.pk))
        newsletter, _created = Newsletter.objects.get_or_create(
            translation_key=key,
            defaults={"original": original, "published_at": min(post.publish_at for post in versions)},
        )
        recipients = (
            Subscriber.objects.following(original)
            .filter(confirmed_at__lte=newsletter.published_at)
            .order_by()
            .values_list("pk", flat=True)
            .distinct()
        )
        batch = []
        for subscriber_id in recipients.iterator(chunk_size=CHUNK):
            batch.append(Delivery(newsletter=newsletter, subscriber_id=subscriber_id))
            if len(batch) == CHUNK:
                made += len(Delivery.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        made += len(Delivery.objects.bulk_create(batch, ignore_conflicts=True))
        Newsletter.objects.filter(pk=newsletter.pk, queued_at__isnull=True).update(queued_at=now)
    return made


class Sender:
    """Sends deliveries through one connection of Django's email backend, one transaction per email."""

    def __init__(self, connection, pacer):
        self.connection = connection
        self.pacer = pacer
        self.editions = {}  # newsletter pk -> ({language: version}, original)
        self.letters = {}  # (version pk, interface language, note) -> Letter

    def work(self, deliveries, now, report, stop):
        """Deliver each of `deliveries`; after a lost server, only take them (so no producer blocks)."""
        for delivery in deliveries:
            if not stop.is_set() and not self.deliver(delivery, now, report):
                report.server_unavailable = True
                stop.set()

    def deliver(self, delivery, now, report):
        """Send one delivery, claimed and marked in one transaction; False when the server cannot be reached."""
        letter = self.letter_for(delivery)
        if delivery.subscriber.state != Subscriber.State.CONFIRMED or letter is None:
            reason = "essay unpublished" if letter is None else "address bounced"
            if Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.QUEUED).update(
                state=Delivery.State.FAILED, last_error=reason
            ):
                report.count("failed")
            return True
        email = letter.for_subscriber(delivery.subscriber, message_id=message_id(delivery))
        self.pacer.wait()
        with transaction.atomic():
            attempts = claim_as_sent(delivery.pk, letter.language)
            if attempts is None:  # another sender has it, or sent it meanwhile
                return True
            try:
                self.connection.send_messages([email])
            except (smtplib.SMTPException, OSError) as error:
                return self.failed(delivery, attempts, error, now, report)
        report.count("sent")
        return True

    def failed(self, delivery, attempts, error, now, report):
        """Record a refused or failed attempt over the claim's mark, in its transaction."""
        code = smtp_code(error)
        # Never the server's text: it often repeats the address.
        reason = f"{type(error).__name__} {code or ''}".strip()
        logger.warning("Delivery %s failed: %s", delivery.pk, reason)
        if 500 <= code < 600:
            Subscriber.objects.filter(pk=delivery.subscriber_id).update(state=Subscriber.State.BOUNCED)
            state, next_attempt = Delivery.State.FAILED, None
        elif attempts >= MAX_ATTEMPTS:
            state, next_attempt = Delivery.State.FAILED, None
        else:
            state, next_attempt = Delivery.State.QUEUED, now + min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
        Delivery.objects.filter(pk=delivery.pk).update(
            state=state, attempts=attempts, next_attempt_at=next_attempt, last_error=reason
        )
        report.count("failed" if state == Delivery.State.FAILED else "retrying")
        if code == 0:  # the connection itself failed: the rest waits for the next run
            self.connection.close()
            return False
        return True

    def letter_for(self, delivery):
        """The composed Letter this delivery's reader gets, or None when no version of the essay is public now."""
        newsletter = delivery.newsletter
        if newsletter.pk not in self.editions:
            versions = {post.language: post for post in Post.objects.published().filter(
                translation_key=newsletter.translation_key)}  # fmt: skip
            # Unpublished since it was queued: the original (or the whole essay) must not go out by email.
            public = {post.pk: post for post in versions.values()}
            original = public.get(newsletter.original_id) or min(public.values(), key=lambda post: post.created_at,
                                                                 default=None)  # fmt: skip
            self.editions[newsletter.pk] = (versions, original)
        versions, original = self.editions[newsletter.pk]
        if original is None:
            return None
        subscriber = delivery.subscriber
        version, note, source = letters.choose_version(versions, original, subscriber.languages)
        key = (version.pk, subscriber.interface_language, note)
        if key not in self.letters:
            self.letters[key] = letters.compose(version, subscriber.interface_language, note, source)
        return self.letters[key]


def smtp_code(error):
    """The SMTP reply code an error carries (for refused recipients, the first one's); 0 for a lost connection."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return next((code for code, _text in error.recipients.values()), 0)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return 0


def message_id(delivery):
    """The same for every attempt at one delivery, so a copy resent after a crash is recognisably the same email."""
    host = (settings.BUNKO_SITE_URL.split("://")[-1].split("/")[0].split(":")[0]) or "localhost"
    return f"<bunko.{delivery.newsletter.translation_key.hex}.{delivery.pk}@{host}>"


def claim_as_sent(pk, language):
    """Mark a queued delivery sent in the open transaction, which locks it; its attempts, this one included, or
    None when it is not ours to send. The mark is seen once the transaction commits, after the server accepted
    the email; a sender that dies before rolls it back.

    One plain statement, as the ORM would compile a claim and a mark again for every email. PostgreSQL skips a
    row another sender has locked; SQLite needs no row lock, as each write transaction holds the whole database.
    """
    skip_locked = " FOR UPDATE SKIP LOCKED" if database.vendor == "postgresql" else ""
    sent_at = Delivery._meta.get_field("sent_at").get_db_prep_value(timezone.now(), database)
    with database.cursor() as cursor:
        cursor.execute(
            f"UPDATE {DELIVERIES} SET state = %s, sent_at = %s, language = %s, attempts = attempts + 1, "
            f"last_error = '' WHERE id IN (SELECT id FROM {DELIVERIES} WHERE id = %s AND state = %s{skip_locked}) "
            "RETURNING attempts",
            [Delivery.State.SENT, sent_at, language, pk, Delivery.State.QUEUED],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def due_deliveries(now):
    """Deliveries due now, with their subscriber and newsletter, read in keyset chunks so memory stays flat."""
    last_pk = 0
    while True:
        due = Delivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), state=Delivery.State.QUEUED, pk__gt=last_pk
        )
        chunk = list(due.select_related("subscriber", "newsletter").order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last_pk = chunk[-1].pk


def send_newsletters(now=None):
    """One run of the command: forget stale addresses, queue new essays, send what is due; a Report of counts.

    On PostgreSQL, MAIL_CONNECTIONS senders work side by side (SKIP LOCKED keeps them apart), each with its own
    SMTP and database connection: an email spends most of its time waiting for the SMTP server's replies. SQLite
    lets one write transaction run at a time, so there one sender does all.
    """
    now = now or timezone.now()
    report = Report(forgotten=forget_unconfirmed(now), queued=queue(now))
    if not Delivery.objects.filter(state=Delivery.State.QUEUED).exists():
        return report
    pacer, stop = Pacer(settings.BUNKO_MAIL_RATE_PER_MINUTE), threading.Event()
    if database.vendor != "postgresql" or settings.BUNKO_MAIL_CONNECTIONS <= 1:
        run_sender(due_deliveries(now), pacer, now, report, stop)
        return report
    deliveries = queues.Queue(maxsize=CHUNK)
    workers = [
        threading.Thread(
            target=run_sender, args=(iter(deliveries.get, None), pacer, now, report, stop), kwargs={"own_thread": True}
        )
        for _ in range(settings.BUNKO_MAIL_CONNECTIONS)
    ]
    for worker in workers:
        worker.start()
    for delivery in due_deliveries(now):
        if stop.is_set():
            break
        deliveries.put(delivery)
    for _worker in workers:
        deliveries.put(None)
    for worker in workers:
        worker.join()
    return report


def run_sender(deliveries, pacer, now, report, stop, own_thread=False):
    """One sender: an SMTP connection opened once (the backend would otherwise connect around every email)."""
    connection = get_connection()
    try:
        if database.vendor == "sqlite" and not database.in_atomic_block:
            # In WAL mode a commit then needs no fsync and still survives the process dying; a power cut may undo
            # the last marks, which only resends those emails, with their Message-IDs.
            with database.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Mail server unavailable: %s", type(error).__name__)
        report.server_unavailable = True
        stop.set()
    try:
        Sender(connection, pacer).work(deliveries, now, report, stop)
    finally:
        connection.close()
        if own_thread:
            database.close()
