"""Conditional GET and the page cache for public pages, both starting from one cheap read of the content state.

ETags follow the content generation (blog.models.ContentGeneration, moved by every write a reader could
notice, and by the first request after a scheduled post's time has come): one primary-key lookup, however
many posts there are, so a 304 costs almost nothing. Any visible edit changes every ETag; a client then
fetches the page again, usually from the page cache.

The page cache is finer: a view names what its page shows (a Shown, on its response), the stored page keeps
those things' tokens (blog.models.ContentToken), and it is served until something it shows is saved. An edit
is visible on the very next request. The same keys label the page for a shared cache at the edge, which each
write purges by them (blog.caching.edge).
"""

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import wraps

from django.conf import settings
from django.http import QueryDict
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from blog import rendering
from blog.caching.edge import headers as edge
from blog.caching.generation import ContentState, content_state, current_tokens
from blog.caching.store import cache_get, cache_set
from blog.models import ContentGeneration


def validators_for(address, generation):
    """A strong ETag naming this URL on this host and the content generation; the time of its last move."""
    fingerprint = repr([address, settings.BUNKO_RELEASE, rendering.RENDERER_RELEASE, generation.value])
    etag = f'"{hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()}"'
    last_modified = int(generation.changed_at.timestamp()) if generation.changed_at else None
    return etag, last_modified


class ShowsContent:
    """A view whose response names what its page shows: `shown(context)` returns a Shown (blog.caching.keys).

    public_page reads it off the response (`response.shown`) to keep the page's tokens and label it for the edge;
    function views set `response.shown` themselves.
    """

    def shown(self, context):
        raise NotImplementedError

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response.shown = self.shown(context)
        return response


def shown_keys(response):
    """The cache keys of what `response` says its page shows, or None when it says nothing."""
    shown = getattr(response, "shown", None)
    return shown.keys() if shown is not None else None


@dataclass(frozen=True)
class StoredPage:
    response: object
    generation: int  # the content generation it was rendered, or last found current, at
    tokens: dict | None  # tokens of what it shows; None: it is current only at `generation`


@dataclass
class Answering:
    """The request public_page is answering: the content generation it read, and data already found for it."""

    generation: ContentState
    found: dict = field(default_factory=dict)


# Set by public_page for the time its view runs, so content_cached keeps data with the generation that request
# read; views never see it. Unset (None) outside public_page.
ANSWERING = ContextVar("answering", default=None)


def content_cached(name, compute):
    """`compute()`, kept for the rest of the request and, on pages that public_page serves, in the cache until
    the content changes. Within a request it is found once however many parts of the page ask (the archive's
    language switcher and its month links both read the months)."""
    answering = ANSWERING.get()
    if answering is None:
        return compute()
    if name not in answering.found:
        answering.found[name] = cached_across_requests(answering.generation, name, compute)
    return answering.found[name]


def cached_across_requests(generation, name, compute):
    fingerprint = repr([name, settings.BUNKO_RELEASE, generation.value])
    key = "bunko:data:" + hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
    value = cache_get(key)
    if value is None:
        value = compute()
        cache_set(key, value)
    return value


def months_kept():
    """ContentGeneration.months (the months holding an essay, per language), kept in the cache with the generation."""
    return content_cached("months", ContentGeneration.objects.months)


def anonymous(request):
    """Only a visitor without a session or messages gets shared responses: staff may see what others must not."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def may_use_cache(request):
    return bool(settings.BUNKO_PAGE_CACHE_SECONDS) and anonymous(request)


def fit_to_share(request, response):
    """An anonymous visitor's answer that set no cookie, used no CSRF token and does not vary by cookie."""
    return (
        anonymous(request)
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_USED")
        and "cookie" not in response.get("Vary", "").lower()
    )


def may_store(request, response):
    """A plain 200 fit to share."""
    return response.status_code == 200 and fit_to_share(request, response)


def public_page(view, reads=()):
    """Answer GET/HEAD with 304 when the client's ETag is current, else from the page cache, else by rendering.

    Like django.views.decorators.http.condition(), but the validators come from one primary-key read, and
    only a 200 carries them. A listed ETag is answered at once: only this URL's 200 at this generation
    carried it. If-Modified-Since and `If-None-Match: *` are answered after the page is found to exist, so a
    client never gets 304 for what is a 404. `reads`: the query parameters the view reads; any other is
    ignored (keep_only_read_parameters).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        keep_only_read_parameters(request, reads)
        generation = content_state()
        address = request.build_absolute_uri()
        etag, last_modified = validators_for(address, generation)
        response = None
        if request.META.get("HTTP_IF_NONE_MATCH", "*").strip() != "*":
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = respond(view, request, args, kwargs, generation, page_key(address))
            if response.status_code != 200:
                return response
            response = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        response.headers["ETag"] = etag
        if last_modified:
            # Overrides Feed's own header (its newest entry), which misses renamed tags and new translations.
            response.headers["Last-Modified"] = http_date(last_modified)
        # Browsers revalidate every time (they would otherwise reuse the page unasked and miss edits); an edge
        # keeps what anyone may be shown until a purge (blog.caching.edge).
        if fit_to_share(request, response):
            edge.mark_shared(response)
        else:
            edge.mark_private(response)
        return response

    return wrapper


def keep_only_read_parameters(request, reads):
    """Drop from `request` the query parameters its page does not read (utm_*, fbclid, anything unknown).

    The view, its links, the ETag and the page cache key then see one query per page, in one order: junk
    appended to a URL is served the stored page and adds no cache entry (deploy/varnish/bunko.vcl strips it
    before the edge's lookup too). Empty values are dropped as well: the views read them as absent.
    """
    kept = QueryDict(mutable=True)
    for name in sorted(reads):
        if value := request.GET.get(name):
            kept[name] = value
    query = kept.urlencode()
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def respond(view, request, args, kwargs, generation, key):
    """The stored response for this URL while what it shows is unchanged, or the view's, stored when fit to share.

    A stored page costs one cache read: only a page being rendered gets an Answering (for content_cached).
    """
    use_cache = may_use_cache(request)
    if use_cache:
        stored = cache_get(key)
        if stored is not None and still_current(key, stored, generation):
            return stored.response
    answering = ANSWERING.set(Answering(generation))
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response = response.render()
    finally:
        ANSWERING.reset(answering)
    if response.status_code == 200:
        # Before it is stored: a page served from the cache names its keys too.
        edge.label(response, shown_keys(response))
    if use_cache and may_store(request, response):
        store(key, response, generation)
    return response


def page_key(address):
    fingerprint = repr([address, settings.BUNKO_RELEASE, rendering.RENDERER_RELEASE])
    return "bunko:page:" + hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()


def still_current(key, stored, generation):
    """Nothing moved since it was stored, or nothing it shows did (then it is marked current at this generation)."""
    if stored.generation == generation.value:
        return True
    if stored.tokens is None or current_tokens(stored.tokens)[0] != stored.tokens:
        return False
    cache_set(key, replace(stored, generation=generation.value))
    return True


def store(key, response, generation):
    shown = shown_keys(response)
    if shown is None:
        cache_set(key, StoredPage(response, generation.value, None))
        return
    tokens, current_generation = current_tokens(shown)
    # If the generation moved while the page rendered, its tokens may be newer than its content: not stored.
    if current_generation == generation.value:
        cache_set(key, StoredPage(response, generation.value, tokens))
