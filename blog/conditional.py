"""Conditional GET and the page cache for public pages: both keyed by one cheap read of the content state.

A page prints more than its own row (translations, authors, tags, related posts, neighbours), so "has
anything this page shows changed?" is answered for the whole site at once: the content generation
(blog.models.ContentGeneration, moved by every write a reader could notice) and the newest publish time
that has come (a scheduled post appears without any write). Both come from one query that reads one row
and walks one index, however many posts there are. A client holding the current ETag gets 304; anyone
else gets the stored response if the cache has it, else the view renders and the response is stored.

Trade-off: one global generation over-invalidates (editing any post expires every cached page), but never
serves a stale page, and an edit is visible on the very next request.
"""

import hashlib
import logging
from functools import wraps

import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Subquery
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from blog import rendering
from blog.models import ContentGeneration, Post, content_changed

logger = logging.getLogger(__name__)
# The page cache only saves work: with Redis down, pages are rendered as if nothing were cached.
CACHE_DOWN = (redis.ConnectionError, redis.TimeoutError)


def content_state(language=None, slug=None):
    """The generation, its time, the newest publish time that has come and (given a slug) whether that post is public."""
    published = Post.objects.published()
    annotations = {"newest": Subquery(published.order_by("-publish_at").values("publish_at")[:1])}
    if slug is not None:
        annotations["target"] = Exists(published.filter(language=language, slug=slug))
    row = ContentGeneration.objects.filter(pk=1).annotate(**annotations).values("value", "changed_at", *annotations)
    state = row.first()
    if state is None:  # a flushed database (TransactionTestCase) lost the row that migration 0004 made
        content_changed()
        state = row.first()
    return state


def validators_for(request, state):
    """A strong ETag naming this URL on this host and the content state; the newest date a reader could see."""
    fingerprint = repr(
        [request.build_absolute_uri(), settings.BUNKO_RELEASE, rendering.RENDERER_VERSION, state["value"], state["newest"]]
    )
    etag = '"%s"' % hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
    dates = [date for date in (state["changed_at"], state["newest"]) if date]
    return etag, max(dates, default=None)


def content_cached(request, name, compute):
    """`compute()`, kept in the cache until the content changes (on pages that public_page serves)."""
    state = getattr(request, "content_state", None)
    if state is None:
        return compute()
    fingerprint = repr([name, settings.BUNKO_RELEASE, state["value"], state["newest"]])
    key = "bunko:data:" + hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value)
    return value


def cache_get(key):
    try:
        return cache.get(key)
    except CACHE_DOWN:
        logger.warning("Cache unreachable; rendering without it.", exc_info=True)
        return None


def cache_set(key, value):
    try:
        cache.set(key, value, settings.BUNKO_PAGE_CACHE_SECONDS or None)
    except CACHE_DOWN:
        logger.warning("Cache unreachable; not storing %s.", key, exc_info=True)


def may_use_cache(request):
    """Only a visitor without a session or messages gets shared responses: staff may see what others must not."""
    if not settings.BUNKO_PAGE_CACHE_SECONDS:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def may_store(request, response):
    """A plain 200 that set no cookie, used no CSRF token and does not vary by cookie."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
        and "cookie" not in response.get("Vary", "").lower()
    )


def public_page(view=None, *, detail=False):
    """Answer GET/HEAD with 304 when the client's ETag is current, else from the page cache, else by rendering.

    Like django.views.decorators.http.condition(), but both validators come from one query, and only a
    200 carries them, so a client never gets 304 for what was a 404. With `detail`, the view's `slug`
    must name a public post in the URL's language, or the view runs (and answers 404) with no validators.
    """
    if view is None:
        return lambda view: public_page(view, detail=detail)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if detail:
            state = content_state(request.LANGUAGE_CODE, kwargs["slug"])
            if not state["target"]:
                return view(request, *args, **kwargs)
        else:
            state = content_state()
        request.content_state = state
        etag, last_modified = validators_for(request, state)
        timestamp = int(last_modified.timestamp()) if last_modified else None
        response = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if response is None:
            response = respond(view, request, args, kwargs, "bunko:page:" + etag.strip('"'))
        if response.status_code not in (200, 304):
            return response
        response.headers["ETag"] = etag
        if timestamp:
            # Overrides Feed's own header (its newest entry), which misses renamed tags and new translations.
            response.headers["Last-Modified"] = http_date(timestamp)
        # Browsers would otherwise reuse the page unasked for a while (heuristic freshness) and miss edits.
        patch_cache_control(response, no_cache=True)
        return response

    return wrapper


def respond(view, request, args, kwargs, key):
    """The stored response for `key`, or the view's, stored when it is fit to share."""
    use_cache = may_use_cache(request)
    if use_cache:
        cached = cache_get(key)
        if cached is not None:
            return cached
    response = view(request, *args, **kwargs)
    if hasattr(response, "render"):
        response = response.render()
    if use_cache and may_store(request, response):
        cache_set(key, response)
    return response
