"""What a response tells the edge: the keys its page shows, and whether it may keep the page at all."""

from django.conf import settings

from blog.caching.keys import ANY_CHANGE

SURROGATE_HEADERS = ("Surrogate-Key", "xkey")


def label(response, keys):
    """Name on `response` the keys of what its page shows (None: nothing named), so a purge of any of them drops it."""
    keys = keys or {ANY_CHANGE}
    value = " ".join(sorted(keys))
    for header in SURROGATE_HEADERS:
        response.headers[header] = value


def mark_shared(response):
    """Edges may keep it (s-maxage); browsers revalidate it every time with its ETag (max-age=0).

    Always EDGE_MAX_AGE: a lifetime counting down to the next scheduled post would tell anyone its embargo time.
    A scheduled post reaches the edge by a purge instead: `manage.py publish_due` (cron, every minute) moves the
    generation once its time has come, and that purges what it moved.
    """
    response.headers["Cache-Control"] = f"max-age=0, s-maxage={settings.BUNKO_EDGE_MAX_AGE}"


def mark_private(response):
    """Only this visitor may be shown it: no edge keeps it, whatever keys it names."""
    for header in SURROGATE_HEADERS:
        del response.headers[header]
    response.headers["Cache-Control"] = "no-cache, private"
