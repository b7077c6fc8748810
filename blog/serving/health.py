"""When the database or the cache is away: a clean 503 for readers, and /healthz for the load balancer.

Nothing here needs the database. Recovery needs no code either: Django closes a connection that failed
at the end of the request, and CONN_HEALTH_CHECKS replaces a kept connection that broke meanwhile, so the
first request after the database comes back is served normally (tests/serving/test_security.py starts real servers).
"""

import logging
import sys

import redis
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# What a service that is down or unreachable raises, as opposed to a bug: the database through Django's
# wrappers (refused, dropped, restarted, locked), and Django's RedisCache, which lets redis-py's errors through
# (any of them: a Redis full at maxmemory refuses writes with OutOfMemoryError).
OUTAGE_ERRORS = (OperationalError, InterfaceError, redis.RedisError)
RETRY_AFTER_SECONDS = 30


def service_unavailable(request):
    """The friendly 503 page in the request's language; rendered without a request, so no context processor runs."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)  # a cache must not keep serving the outage once it is over
    return response


def server_error(request):
    """handler500: an outage met outside a view (a middleware's query, a session save) still answers 503."""
    if isinstance(sys.exception(), OUTAGE_ERRORS):
        return service_unavailable(request)
    return defaults.server_error(request)


def database_status():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def cache_status():
    """The cache's state: "degraded" when Redis answers but refuses to store (full at maxmemory with `noeviction`).

    Pages are then served uncached (blog.caching.cache_set), so the instance stays in the load balancer.
    """
    try:
        cache.set("healthz", "ok", timeout=10)
    except (redis.ConnectionError, redis.TimeoutError):
        raise
    except redis.RedisError:
        logger.warning("Health check: the cache refuses to store.", exc_info=True)
        cache.get("healthz")  # still raises if it cannot even be read
        return "degraded"
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not return what was just stored")
    return "ok"


@require_safe
@never_cache
def healthz(request):
    """{"database": "ok"|"error", "cache": "ok"|"degraded"|"error"}: 200 when both answer, else 503."""
    report = {}
    for name, check in (("database", database_status), ("cache", cache_status)):
        try:
            report[name] = check()
        except Exception:  # whatever the failure, a health check reports it rather than failing itself
            logger.warning("Health check: the %s is not answering.", name, exc_info=True)
            report[name] = "error"
    healthy = "error" not in report.values()
    return JsonResponse(report, status=200 if healthy else 503)
