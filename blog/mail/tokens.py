"""Signed links in emails: a confirmation link that expires, and a manage/unsubscribe link that does not.

Each carries the subscriber's random key, never the address or the row's number; the salt keeps one kind of
link from being used as the other, and a forged or altered one fails its signature.
"""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError

from blog.models import Subscriber

CONFIRM_SALT = "bunko.mail.confirm"
MANAGE_SALT = "bunko.mail.manage"
# Unconfirmed addresses are forgotten after this long (blog.mail.sender.forget_unconfirmed), and so are their links.
CONFIRM_MAX_AGE = timedelta(days=7)


class BadLink(Exception):
    """A link whose signature does not match, or that has expired."""


def confirm_token(subscriber):
    return signing.dumps(subscriber.key.hex, salt=CONFIRM_SALT)


def manage_token(subscriber):
    return signing.Signer(salt=MANAGE_SALT).sign(subscriber.key.hex)


def from_confirm_token(token):
    """The subscriber a confirmation link names, or None when it is gone; BadLink when forged or expired."""
    try:
        key = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        raise BadLink from None
    return _by_key(key)


def from_manage_token(token):
    """The subscriber a manage or unsubscribe link names, or None when they have unsubscribed; BadLink when forged."""
    try:
        key = signing.Signer(salt=MANAGE_SALT).unsign(token)
    except signing.BadSignature:
        raise BadLink from None
    return _by_key(key)


def _by_key(key):
    try:
        return Subscriber.objects.filter(key=key).first()
    except ValidationError:  # only we sign keys, but a link from a future format must not make a 500
        return None
