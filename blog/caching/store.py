"""The cache that keeps pages and the data they are built from (Redis in production), failing soft.

The page cache only saves work: whatever Redis raises (unreachable, full at maxmemory with `noeviction`, a
refused command), pages are rendered as if nothing were cached, and the outage is logged once.
"""

import logging

import redis
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)
CACHE_DOWN = redis.RedisError


class CacheOutage:
    """Whether this process's last write to the cache failed, so an outage is logged once, not on every request.

    Only a stored value ends it: a Redis full at maxmemory (`noeviction`) still answers reads.
    """

    failing = False

    @classmethod
    def failed(cls, doing, error):
        if not cls.failing:
            cls.failing = True
            logger.warning("Cache failing (%s); pages are served without it until it answers.", doing, exc_info=error)

    @classmethod
    def answered(cls):
        if cls.failing:
            cls.failing = False
            logger.warning("Cache answering again.")


def cache_get(key):
    try:
        return cache.get(key)
    except CACHE_DOWN as error:
        CacheOutage.failed("reading", error)
        return None


def cache_set(key, value):
    try:
        cache.set(key, value, settings.BUNKO_PAGE_CACHE_SECONDS or None)
    except CACHE_DOWN as error:
        CacheOutage.failed("storing", error)
        return
    CacheOutage.answered()
