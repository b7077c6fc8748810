"""The page cache under abuse and at its limits, on a real redis-server started by the test.

Junk query strings (utm_*, fbclid, anything a page does not read) must not add cache entries, and a Redis
that refuses writes (full at maxmemory with `noeviction`) must cost readers nothing but speed.
"""

import contextlib
import logging

import pytest
import redis
from django.urls import reverse

from blog.caching import CacheOutage
from harness.servers import HOST, free_port, running, start
from tests.factories import make_post, url_in


@contextlib.contextmanager
def redis_server(*options):
    """redis-server on a free loopback port with `options`, keeping nothing on disk; yields its URL."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", *options]
    with running(start(command, port)) as server:
        yield f"redis://{HOST}:{server.port}/0"


def use_redis(settings, url):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


@pytest.fixture
def roomy_redis(settings):
    with redis_server() as url:
        use_redis(settings, url)
        yield redis.Redis.from_url(url)


@pytest.fixture
def full_redis(settings, monkeypatch):
    """A Redis at maxmemory that refuses every write (`noeviction`, Redis's default policy), as production's was."""
    monkeypatch.setattr(CacheOutage, "failing", False)  # an earlier test's outage is over
    with redis_server("--maxmemory", "1mb", "--maxmemory-policy", "noeviction") as url:
        use_redis(settings, url)
        client = redis.Redis.from_url(url)
        with contextlib.suppress(redis.exceptions.OutOfMemoryError):
            for number in range(10_000):
                client.set(f"filler:{number}", "x" * 1024)
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            client.set("a-page", "x" * 40_000)
        yield client


JUNK = [
    "utm_source={n}",
    "fbclid=IwAR{n}",
    "gclid={n}&utm_medium=email",
    "x{n}=1",
    "utm_campaign={n}&utm_term=&ref=feed",
]


def test_junk_query_strings_add_no_cache_entries(client, db, roomy_redis):
    essay = make_post(title="Kept once")
    pages = [url_in("en", "blog:feed-rss"), url_in("en", "blog:post-list"), essay.get_absolute_url()]
    for path in pages:
        assert client.get(path).status_code == 200
    entries = roomy_redis.dbsize()

    for number in range(100):
        path = pages[number % len(pages)]
        response = client.get(f"{path}?{JUNK[number % len(JUNK)].format(n=number)}")
        assert response.status_code == 200, path
        assert not response.templates, f"{path} was rendered again for a junk query string"

    assert roomy_redis.dbsize() == entries


def test_parameters_a_page_reads_still_give_their_own_page(client, db, roomy_redis):
    moss, tide = make_post(title="Field notes on moss"), make_post(title="Tide tables")
    search = url_in("en", "blog:search")
    assert tide.get_absolute_url() in client.get(f"{search}?q=tide&utm_source=x").content.decode()
    found = client.get(f"{search}?q=moss&fbclid=y").content.decode()
    assert moss.get_absolute_url() in found and tide.get_absolute_url() not in found
    assert "utm_source" not in found and "fbclid" not in found  # nor do links on the page carry the junk on


def test_a_full_redis_costs_readers_nothing_but_speed(client, db, full_redis, caplog):
    essays = [make_post(title=f"Essay {number}", body="Words. " * 2000) for number in range(10)]
    pages = [essay.get_absolute_url() for essay in essays] + [
        url_in(language, name) for language in ("en", "ja", "zh-hans") for name in ("blog:post-list", "blog:feed-rss")
    ]
    with caplog.at_level(logging.WARNING, logger="blog.caching.store"):
        for _ in range(2):
            for path in pages:
                response = client.get(path)
                assert response.status_code == 200, path
    assert len(caplog.records) == 1  # once per outage, not once per request

    health = client.get(reverse("healthz"))
    assert health.status_code == 200  # the load balancer keeps the instance: it serves every page
    assert health.json() == {"database": "ok", "cache": "degraded"}
