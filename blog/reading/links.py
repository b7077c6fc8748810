"""The site's links, built fast: a page or feed links dozens of posts, tags and authors, and reverse()
costs about 0.1 ms each under translation.override.

A URL follows from the route, its arguments, the language and the script prefix; nothing about an
object's content can make a remembered one stale, so they are remembered in bounded caches.
"""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, reverse, translate_url
from django.utils import translation

from blog.models import CONVERTED_LANGUAGE
from blog.rendering.traditional import LANGUAGE_TAG as TRADITIONAL_TAG

SLUG_PLACEHOLDER = "slug"
# URLs remembered by permalink(), cleared when full rather than grown without end.
PERMALINKS = {}
PERMALINKS_MAX = 4096


def slug_url(name, language=None):
    """`slug -> URL` of the route `name` (one `slug` argument) in `language`, by default the active one."""
    return _slug_url(name, language or translation.get_language(), get_script_prefix())


@functools.lru_cache(maxsize=128)
def _slug_url(name, language, script_prefix):
    """Reversed once per route, language and script prefix.

    Slugs are letters, digits, `_` and `-`, which reverse() percent-encodes exactly as quote() does.
    """
    with translation.override(language):
        head, tail = reverse(name, kwargs={"slug": SLUG_PLACEHOLDER}).rsplit(SLUG_PLACEHOLDER, 1)
    return lambda slug: head + quoted(slug) + tail


def post_path(language, slug):
    """The path of a post written in `language` (a post's page is under its own language's prefix)."""
    return slug_url("blog:post-detail", language)(slug)


def traditional_path(slug):
    """The path of a Simplified Chinese post's Traditional page (blog.reading.traditional), outside the prefixes."""
    return _traditional_url(get_script_prefix())(slug)


def version_paths(version):
    """(language, path) of a published version: a Simplified Chinese one is also served in Traditional."""
    yield version.language, post_path(version.language, version.slug)
    if version.language == CONVERTED_LANGUAGE:
        yield TRADITIONAL_TAG, traditional_path(version.slug)


@functools.lru_cache(maxsize=8)
def _traditional_url(script_prefix):
    head, tail = reverse("traditional:post-detail", kwargs={"slug": SLUG_PLACEHOLDER}).rsplit(SLUG_PLACEHOLDER, 1)
    return lambda slug: head + quoted(slug) + tail


@functools.lru_cache(maxsize=8192)
def quoted(slug):
    """A slug as it stands in a URL: percent-encoding a Japanese slug costs more than the rest of its link."""
    return quote(slug)


def url(name, language=None, **kwargs):
    """reverse(name, kwargs=kwargs) in `language`, by default the active one."""
    language = language or translation.get_language()
    return _url(name, tuple(sorted(kwargs.items())), language, get_script_prefix())


@functools.lru_cache(maxsize=4096)
def _url(name, arguments, language, script_prefix):
    with translation.override(language):
        return reverse(name, kwargs=dict(arguments))


# Longer paths (long queries, probes) are translated each time rather than kept.
REMEMBERED_PATH_LENGTH = 300


def in_language(path, language):
    """translate_url(path, language): the same page under another language's prefix (itself if none)."""
    if len(path) > REMEMBERED_PATH_LENGTH:
        return translate_url(path, language)
    return _in_language(path, language, get_script_prefix())


@functools.lru_cache(maxsize=4096)
def _in_language(path, language, script_prefix):
    return translate_url(path, language)


def permalink(obj):
    """`obj.get_absolute_url()` of a post, tag or author, remembered by its slug (and a post's language)."""
    key = (type(obj), obj.slug, getattr(obj, "language", None), translation.get_language(), get_script_prefix())
    found = PERMALINKS.get(key)
    if found is None:
        if len(PERMALINKS) >= PERMALINKS_MAX:
            PERMALINKS.clear()
        found = PERMALINKS[key] = obj.get_absolute_url()
    return found
