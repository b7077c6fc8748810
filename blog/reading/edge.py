"""The shared cache at the edge (Varnish, a CDN): what a response may be kept for, and purging exactly what moved.

The page cache already knows which keys each page shows (blog.reading.conditional.shows) and which keys a write
moves (blog.reading.state.content_changed). Those keys go out as the `Surrogate-Key` header (and `xkey`, the
name Varnish's xkey module reads), and a write purges the keys it moved at every edge in EDGE_PURGE_URLS.

A purge is soft (the page may still be served, stale, while no app instance answers: Varnish's grace), except
for a retraction (unpublishing, deleting, a scheduled post back to draft), which is hard: what was taken down
must never come back from the edge, even in an outage. Each purge carries EDGE_PURGE_SECRET, which the edge
checks besides the sender's address.

A purge is durable and never holds up the editor: content_changed records it as a PendingPurge row in the
write's own transaction; after the commit a background thread sends it (with a short timeout) and deletes the
row. A purge that failed stays recorded, logged, and is sent again by the next write or by
`manage.py publish_due`, which cron runs every minute.
"""

import http.client
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections, models, transaction
from django.utils.module_loading import import_string

from blog.models import PendingPurge

logger = logging.getLogger(__name__)

# Pages that name nothing (blog.reading.conditional.shows) are current only until the next visible write
# anywhere, as in the page cache: they carry this key, and every purge includes it.
ANY_CHANGE = "any-change"
SURROGATE_HEADERS = ("Surrogate-Key", "xkey")
# More keys than this at once (purges piled up while an edge was away): every page goes, in one short header.
MAX_KEYS_PER_PURGE = 100


# ---- what a response tells the edge


def label(request, response):
    """Name on `response` the keys of what its page shows, so a purge of any of them drops it."""
    keys = getattr(request, "shown_keys", None) or {ANY_CHANGE}
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


# ---- purging


class Purger:
    """What an edge must do: forget every object labelled with any of `keys`, or raise.

    Soft: it may still serve them while the origin is down. `hard`: it never serves them again.
    """

    def purge(self, keys, hard=False):
        raise NotImplementedError


class VarnishPurger(Purger):
    """`PURGE /` with `xkey: <keys>` and the shared secret to each EDGE_PURGE_URLS entry (deploy/varnish/bunko.vcl)."""

    def __init__(self, urls, timeout):
        self.urls = urls
        self.timeout = timeout

    def purge(self, keys, hard=False):
        headers = {"xkey": " ".join(sorted(keys)), "Purge-Secret": settings.BUNKO_EDGE_PURGE_SECRET}
        if hard:
            headers["Purge-Mode"] = "hard"
        for url in self.urls:
            parts = urlsplit(url)
            connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=self.timeout)
            try:
                connection.request("PURGE", parts.path or "/", headers=headers)
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            if response.status != 200:
                raise OSError(f"{url} answered the purge with HTTP {response.status}")


def purger():
    """The configured Purger (EDGE_PURGER: a dotted path taking urls and timeout), or None without an edge."""
    if not settings.BUNKO_EDGE_PURGE_URLS:
        return None
    return import_string(settings.BUNKO_EDGE_PURGER)(settings.BUNKO_EDGE_PURGE_URLS, settings.BUNKO_EDGE_PURGE_TIMEOUT)


# One thread per process sends purges in the order of commits; an editor's request never waits for it.
SENDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-purge")


def purge_after_commit(keys, hard=False):
    """Record `keys` for purging in the current transaction, and send them once it commits (content_changed calls this)."""
    if not settings.BUNKO_EDGE_PURGE_URLS:
        return
    PendingPurge.objects.create(keys=" ".join(sorted({*keys, ANY_CHANGE})), hard=hard)
    transaction.on_commit(lambda: SENDER.submit(send_in_background))


def send_in_background():
    try:
        send_pending()
    except Exception:  # a thread's failure would otherwise vanish; the rows stay for the next try
        logger.exception("Sending edge purges failed; they stay pending.")
    finally:
        connections.close_all()  # this thread's: it may wait long for the next write, and must not hold the database


def send_pending():
    """Purge every pending row's keys, hard ones first, in one request per edge and kind.

    Returns how many rows were sent, or None on failure.
    """
    edge = purger()
    rows = list(PendingPurge.objects.order_by("pk").values_list("pk", "keys", "hard"))
    if edge is None or not rows:
        return 0
    for hard in (True, False):
        batch = [(pk, keys) for pk, keys, row_hard in rows if row_hard == hard]
        if batch and not send_batch(edge, batch, hard):
            return None
    return len(rows)


def send_batch(edge, rows, hard):
    """Purge the keys of `rows` ((pk, keys) pairs) and delete them; False when an edge failed (they stay)."""
    pks = [pk for pk, _keys in rows]
    keys = {key for _pk, value in rows for key in value.split()}
    if len(keys) > MAX_KEYS_PER_PURGE:
        from blog.reading.state import EVERYTHING  # every page that names anything carries it

        keys = {EVERYTHING, ANY_CHANGE}
    try:
        edge.purge(keys, hard)
    except (OSError, http.client.HTTPException) as error:
        logger.warning("Edge purge of %d keys failed (%s); it will be retried.", len(keys), error)
        PendingPurge.objects.filter(pk__in=pks).update(attempts=models.F("attempts") + 1)
        return False
    PendingPurge.objects.filter(pk__in=pks).delete()
    purge_again_later(edge, keys, hard)
    return True


def purge_again_later(edge, keys, hard):
    """Purge `keys` once more in EDGE_PURGE_REPEAT seconds.

    A page an instance began rendering before the write committed can reach the edge just after the purge,
    and would then be kept with the old content: the second purge drops it too.
    """
    if settings.BUNKO_EDGE_PURGE_REPEAT:
        timer = threading.Timer(settings.BUNKO_EDGE_PURGE_REPEAT, repeat_purge, args=(edge, keys, hard))
        timer.daemon = True
        timer.start()


def repeat_purge(edge, keys, hard):
    try:
        edge.purge(keys, hard)
    except (OSError, http.client.HTTPException) as error:
        logger.warning("Repeating an edge purge of %d keys failed (%s).", len(keys), error)


def settle():
    """Wait until every purge handed to the background thread so far has been tried (tests, commands that exit)."""
    SENDER.submit(lambda: None).result()
