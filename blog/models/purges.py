"""The edge's outbox: purges a committed write owes the shared caches in front of the site
(blog.caching.edge.outbox)."""

from django.db import models
from django.utils import timezone


class PendingPurge(models.Model):
    """Keys moved by a committed write that some edge may still be serving: deleted once every edge purged them.

    A row, not a message in memory: it is written in the write's own transaction, so a purge is never lost to a
    crash between the commit and the request to the edge, and `manage.py publish_due` sends what failed.
    """

    keys = models.TextField()  # space-separated, as purge requests send them
    hard = models.BooleanField(default=False)  # a retraction: the edge drops the pages rather than keep them stale
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
