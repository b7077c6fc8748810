"""Readers who get essays by email, and each email owed to one of them (blog.mail sends them).

A subscriber chooses languages in order of preference and what to follow; a newsletter is one essay's mailing
(one per translation key), and a delivery is one subscriber's copy of it. The delivery's unique constraint is
what makes "one email per subscriber per essay" hold however many senders run, and however often.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A confirmation email goes to one address at most this often, however often the form is sent.
CONFIRMATION_INTERVAL = timedelta(hours=1)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(state=Subscriber.State.CONFIRMED)

    def following(self, essay):
        """Confirmed subscribers who follow everything, or an author or tag of `essay` (any of its published
        versions)."""
        return self.confirmed().filter(
            Q(follows_everything=True)
            | Q(authors__posts__translation_key=essay.translation_key)
            | Q(tags__posts__translation_key=essay.translation_key)
        )


class Subscriber(models.Model):
    """One email address, its languages in order of preference and what it follows: all a reader told us."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        BOUNCED = "bounced", _("Address refused by its mail server")

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Language codes in the reader's order of preference.")
    )
    interface_language = models.CharField(
        _("interface language"),
        max_length=10,
        choices=settings.LANGUAGES,
        help_text=_("The language of the emails' subject, greeting and footer."),
    )
    follows_everything = models.BooleanField(_("follows every essay"), default=True)
    authors = models.ManyToManyField(
        "blog.Author", blank=True, related_name="subscribers", verbose_name=_("followed authors")
    )
    tags = models.ManyToManyField("blog.Tag", blank=True, related_name="subscribers", verbose_name=_("followed tags"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # Links in emails carry this, signed (blog.mail.tokens); it is not the primary key, so a link names no row order.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [models.Index(fields=["state", "confirmed_at"], name="subscriber_state_confirmed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="confirmed") | Q(confirmed_at__isnull=False), name="subscriber_confirmed_has_time"
            )
        ]

    def claim_confirmation_email(self):
        """True if no confirmation email went to this address in the last hour, and note one going now.

        One conditional UPDATE, so two requests at once cannot both send: an address is mailed at most hourly.
        """
        now = timezone.now()
        claimed = Subscriber.objects.filter(
            Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL), pk=self.pk
        ).update(confirmation_sent_at=now)
        return bool(claimed)

    def release_confirmation_email(self):
        """The claimed email was not sent: the reader may ask again at once."""
        Subscriber.objects.filter(pk=self.pk).update(confirmation_sent_at=None)

    def confirm(self):
        """Start mailing this address; confirming again changes nothing (the link may be opened twice)."""
        if self.state != self.State.CONFIRMED:
            self.state, self.confirmed_at = self.State.CONFIRMED, timezone.now()
            self.save(update_fields=["state", "confirmed_at"])

    def __str__(self):
        # Not the address: admin log entries and messages print this.
        return _("Subscriber %(number)s") % {"number": self.pk}


class Newsletter(models.Model):
    """One essay's mailing: queued once, when its first version is published and its time has come."""

    translation_key = models.UUIDField(_("translation key"), unique=True)
    original = models.ForeignKey(
        "blog.Post", on_delete=models.CASCADE, related_name="newsletters", verbose_name=_("essay")
    )
    published_at = models.DateTimeField(_("published"))
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self):
        return str(self.original)


class Delivery(models.Model):
    """One subscriber's copy of one newsletter: claimed, sent, marked; never made twice (the constraint)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    language = models.CharField(_("language sent"), max_length=10, choices=settings.LANGUAGES, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "newsletter"], name="delivery_one_per_subscriber_and_essay")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.newsletter} → {self.subscriber}"
