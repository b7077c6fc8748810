"""The site's links, built fast: a page or feed links dozens of posts, tags and authors, and reverse()
costs about 0.1 ms each under translation.override."""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils import translation

SLUG_PLACEHOLDER = "slug"


def slug_url(name, language=None):
    """`slug -> URL` of the route `name` (one `slug` argument) in `language`, by default the active one."""
    return _slug_url(name, language or translation.get_language(), get_script_prefix())


@functools.lru_cache(maxsize=128)
def _slug_url(name, language, script_prefix):
    """Reversed once per route, language and script prefix (what the URL depends on besides the slug).

    Slugs are letters, digits, `_` and `-`, which reverse() percent-encodes exactly as quote() does.
    """
    with translation.override(language):
        head, tail = reverse(name, kwargs={"slug": SLUG_PLACEHOLDER}).rsplit(SLUG_PLACEHOLDER, 1)
    return lambda slug: head + quote(slug) + tail
