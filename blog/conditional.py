"""Conditional GET for feeds and post pages: ETag and Last-Modified from one query, checked before rendering.

A post page prints more than its own row (its translations, authors, tags, related posts, the previous
and next essays), and a feed prints its entries' translations and authors. So the validators summarise
everything a reader can see instead of one row: how many posts are visible, the newest edit, the newest
publish time that has come (a scheduled post appearing edits no row), and the newest author and tag
edits. Any change a reader could notice moves one of them; editing a draft moves none.
"""

import hashlib
from functools import wraps

from django.db.models import Count, Max, Q, Subquery, Value
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from blog import rendering
from blog.models import Author, Post, Tag


def _whole_table(model, aggregate):
    """`aggregate` over every row of `model` as a scalar subquery (grouping by a constant is no grouping)."""
    rows = model.objects.order_by().annotate(all=Value(1)).values("all")
    return Subquery(rows.annotate(value=aggregate).values("value"))


def published_state(target=None):
    """One aggregate over published posts; `target` (a Q) reports whether a matching post is among them."""
    aggregates = {
        "posts": Count("pk"),
        "edited": Max("updated_at"),
        "appeared": Max("publish_at"),
        # Uncorrelated scalar subqueries: the database computes each once, in the same query.
        "authors_edited": Max(_whole_table(Author, Max("updated_at"))),
        "tags_edited": Max(_whole_table(Tag, Max("updated_at"))),
        "tags": Max(_whole_table(Tag, Count("pk"))),
    }
    if target is not None:
        aggregates["target"] = Max("pk", filter=target)
    return Post.objects.published().aggregate(**aggregates)


def validators_for(request, state):
    """A strong ETag naming this URL (language prefix, format, slug) and the state; the newest date seen."""
    fingerprint = repr([request.path, rendering.RENDERER_VERSION, sorted(state.items())])
    etag = '"%s"' % hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
    dates = [state[key] for key in ("edited", "appeared", "authors_edited", "tags_edited") if state[key]]
    return etag, max(dates, default=None)


def site_validators(request, *args, **kwargs):
    """Validators for a page built from published content as a whole (feeds)."""
    return validators_for(request, published_state())


def post_validators(request, slug):
    """Validators for a post page, or none when no published post has this slug in the URL's language."""
    state = published_state(Q(language=request.LANGUAGE_CODE, slug=slug))
    if state["target"] is None:
        return None, None
    return validators_for(request, state)


def conditional(validators):
    """Answer GET/HEAD with 304 when the client's validators still match, before the view runs.

    Like django.views.decorators.http.condition(), but both validators come from one call (one query),
    and only a 200 carries them, so a client never gets 304 for what was a 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            etag, last_modified = validators(request, *args, **kwargs)
            timestamp = int(last_modified.timestamp()) if last_modified else None
            response = get_conditional_response(request, etag=etag, last_modified=timestamp)
            if response is None:
                response = view(request, *args, **kwargs)
            if response.status_code not in (200, 304):
                return response
            if etag:
                response.headers["ETag"] = etag
            if timestamp:
                # Overrides Feed's own header (its newest entry), which misses renamed tags and new translations.
                response.headers["Last-Modified"] = http_date(timestamp)
            # Browsers would otherwise reuse the page unasked for a while (heuristic freshness) and miss edits.
            patch_cache_control(response, no_cache=True)
            return response

        return wrapper

    return decorator
