"""The reader's pages: subscribe, confirm (a POST: link scanners open links), manage, unsubscribe.

None of them ever prints an address, and each answers bad input (an invalid form, a forged or expired link,
a flood) with a page in the reader's language and a 4xx status.
"""

import hashlib
import logging
import smtplib

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from blog.mail import letters, tokens
from blog.mail.forms import EVERYTHING, PreferencesForm, SubscribeForm
from blog.models import Subscriber
from blog.serving.middleware import client_address

logger = logging.getLogger(__name__)
LIMIT_WINDOW_SECONDS = 3600


def message(request, title, text, *, status=200, link=None):
    """A page that says one thing: what happened, or what to do about a bad request."""
    return render(request, "mail/message.html", {"title": title, "text": text, "link": link}, status=status)


def bad_link(request):
    return message(
        request,
        _("This link does not work"),
        _(
            "The link is incomplete, was changed, or has expired. "
            "Copy the whole link from the email, or subscribe again."
        ),
        status=400,
        link=("mail:subscribe", _("Subscribe")),
    )


def over_limit(kind, value, limit):
    """Count one attempt for `value` in this hour; True once more than `limit` were made.

    The cache key holds a digest, not the address, so an address is never stored outside its row.
    """
    key = f"mail-limit:{kind}:{hashlib.sha256(str(value).encode()).hexdigest()}"
    cache.add(key, 0, LIMIT_WINDOW_SECONDS)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LIMIT_WINDOW_SECONDS)
        return False


def too_many(request):
    return message(
        request,
        _("Too many requests"),
        _("We received too many subscription requests from you in the last hour. Please try again later."),
        status=429,
    )


# The short form under every essay and on the home page sits in pages kept whole in shared caches, which can
# carry no CSRF token. A forged POST can do nothing its author could not do directly: it only asks for a
# confirmation email, which the address's owner must act on.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "GET":
        form = SubscribeForm(initial={"first_language": get_language(), "follow": EVERYTHING})
        return render(request, "mail/subscribe.html", {"form": form})
    if over_limit("ip", client_address(request), settings.BUNKO_SUBSCRIBE_PER_IP_HOUR):
        return too_many(request)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "mail/subscribe.html", {"form": form}, status=400)
    if over_limit("address", form.cleaned_data["email"], settings.BUNKO_SUBSCRIBE_PER_ADDRESS_HOUR):
        return too_many(request)
    subscriber, _created = Subscriber.objects.get_or_create(
        email=form.cleaned_data["email"], defaults={"interface_language": get_language()}
    )
    if subscriber.state != Subscriber.State.CONFIRMED:
        # A confirmed reader's choices change only through their own manage link; anyone may type an address.
        subscriber.interface_language = get_language()
        subscriber.state = Subscriber.State.PENDING
        form.apply_to(subscriber)
    if subscriber.claim_confirmation_email():
        try:
            letters.send_confirmation(subscriber, request.build_absolute_uri)
        except (smtplib.SMTPException, OSError) as error:
            subscriber.release_confirmation_email()
            logger.warning("Confirmation email for subscriber %s not sent: %s", subscriber.pk, type(error).__name__)
            return message(
                request,
                _("We could not send the email"),
                _("Our mail server did not answer. Nothing was lost: please try again in a few minutes."),
                status=503,
            )
    # The same answer whether the address was new, waiting or subscribed already: the page reveals nothing about it.
    return message(
        request,
        _("Check your inbox"),
        _(
            "We sent you an email with a link. Open it and press Confirm to start receiving essays. "
            "If nothing arrives within an hour, check your spam folder."
        ),
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscriber = tokens.from_confirm_token(token)
    except tokens.BadLink:
        return bad_link(request)
    if subscriber is None:
        return message(
            request,
            _("This subscription no longer exists"),
            _("Unconfirmed subscriptions are forgotten after seven days. Please subscribe again."),
            status=404,
            link=("mail:subscribe", _("Subscribe")),
        )
    if request.method == "POST":
        subscriber.confirm()
    if subscriber.state == Subscriber.State.CONFIRMED:
        return render(request, "mail/confirmed.html", {"manage_token": tokens.manage_token(subscriber)})
    return render(request, "mail/confirm.html")


@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        subscriber = tokens.from_manage_token(token)
    except tokens.BadLink:
        return bad_link(request)
    if subscriber is None:
        return unsubscribed(request)
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if not form.is_valid():
            return render(request, "mail/manage.html", {"form": form, "token": token}, status=400)
        form.apply_to(subscriber)
        saved = True
    form = PreferencesForm(initial=PreferencesForm.initial_for(subscriber))
    return render(request, "mail/manage.html", {"form": form, "token": token, "saved": saved})


# RFC 8058 one-click: mail providers POST "List-Unsubscribe=One-Click" to the link in the header, with no
# cookie or token of ours; the signed link is the authority.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscriber = tokens.from_manage_token(token)
    except tokens.BadLink:
        return bad_link(request)
    if request.method == "GET":
        return render(request, "mail/unsubscribe.html", {"subscribed": subscriber is not None})
    if subscriber is not None:
        # Nothing is kept: the reader's data leaves with them (deliveries go too, by cascade).
        subscriber.delete()
    return unsubscribed(request)


def unsubscribed(request):
    return message(
        request,
        _("You are unsubscribed"),
        _("We will send you no more email, and we have deleted your address."),
        link=("mail:subscribe", _("Subscribe again")),
    )
