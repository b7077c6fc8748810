"""The edge's outbox: purges a committed write owes the edges, sent after the commit and retried until done.

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

from django.conf import settings
from django.db import connections, models, transaction

from blog.caching.edge.purgers import configured_purger
from blog.caching.keys import ANY_CHANGE, EVERYTHING
from blog.models import PendingPurge

logger = logging.getLogger(__name__)

# More keys than this at once (purges piled up while an edge was away): every page goes, in one short header.
MAX_KEYS_PER_PURGE = 100

# One thread per process sends purges in the order of commits; an editor's request never waits for it.
SENDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-purge")


def purge_after_commit(keys, hard=False):
    """Record `keys` for purging in the current transaction, and send them once it commits (content_changed's)."""
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
    edge = configured_purger()
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
        keys = {EVERYTHING, ANY_CHANGE}  # every page that names anything carries EVERYTHING
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
