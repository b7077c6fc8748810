"""What a cached page or an ETag checks to know it is still current: the content generation and per-key tokens.

Only the tables: blog.caching.generation moves them on every write a reader could see, and blog.caching.pages
reads them for ETags and the page cache.
"""

import uuid

from django.db import models


class ContentGenerationManager(models.Manager):
    def months(self):
        """ContentGeneration.months, read apart: only pages printing month links need them, and a cached page none."""
        return self.filter(pk=1).values_list("months", flat=True).first() or {}


class ContentGeneration(models.Model):
    """One row counting the changes a reader could see, so validators and cache keys cost one indexed read.

    Pages print more than their own row (authors, tags, translations, neighbours), so "has anything this page
    shows changed?" would otherwise be an aggregate over every post. Every write to content moves this row
    instead (blog.caching.generation.content_changed); it lives in the database so all workers share it and it
    survives a cache loss. A scheduled post appears with no write at all, so the row also holds the next
    scheduled publication time: the first reader after it moves the generation (see
    blog.caching.generation.content_state).
    """

    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)
    next_publish_at = models.DateTimeField(null=True)
    # {language: ["YYYY-MM", ...] newest first}: the months that hold an essay in that language's lists, for
    # the archive links beside every list; found when the lists change, not on every page.
    months = models.JSONField(default=dict)

    objects = ContentGenerationManager()


class ContentToken(models.Model):
    """A token per thing a cached page may show (an essay, a tag, an author, the lists), new whenever it changes.

    A cached page keeps the tokens of what it showed; it is served again only while they are all current, so an
    edit expires exactly the pages that show what was edited (blog.caching.pages). Tokens, not counters, so
    moving many keys is one upsert.
    """

    key = models.CharField(max_length=80, primary_key=True)
    token = models.UUIDField(default=uuid.uuid4)
