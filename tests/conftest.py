"""Shared fixtures. Test-only speed-ups live here, not in a separate settings module."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.template.backends import jinja2 as jinja2_backend
from django.test import override_settings
from django.test.signals import template_rendered
from django.utils import translation

from tests.factories import role

# Tests that start a process outside pytest (Chromium, gunicorn, Varnish, wrk, Java, redis-server, an SMTP
# server, manage.py in a subprocess): whole folders or modules here, single tests by @pytest.mark.external.
# `make test-fast` runs everything else.
EXTERNAL_PLACES = (
    "browser/", "bench/", "serving/test_edge_instances.py", "serving/test_page_cache_limits.py", "test_readme.py",
)  # fmt: skip
# Fixtures that start such a process for the tests that ask for them (tests/mail's aiosmtpd, tests/serving's Varnish).
EXTERNAL_FIXTURES = {"smtp_server", "edge_server"}
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        place = Path(item.path).resolve().relative_to(TESTS).as_posix()
        if place.startswith(EXTERNAL_PLACES) or not EXTERNAL_FIXTURES.isdisjoint(item.fixturenames):
            item.add_marker(pytest.mark.external)


def pytest_configure(config):
    # Hashed static names need collectstatic; tests read static files straight from static/.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = None  # nothing is collected for tests; whitenoise would warn on every request
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client and the live server speak plain HTTP, like PLAIN_HTTP=1 (`make serve` on localhost);
    # tests/serving/test_security.py checks the HTTPS settings that production gets.
    settings.SECURE_SSL_REDIRECT = settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # Every test empties the cache first (empty_page_cache): with Redis (REDIS_URL), each pytest-xdist worker gets a
    # Redis database of its own (gw0 the 1st, gw1 the 2nd, ...), or one worker would empty another's mid-test.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    cache = settings.CACHES["default"]
    if worker and cache["BACKEND"].endswith("RedisCache"):
        own_database = urlsplit(cache["LOCATION"])._replace(path=f"/{int(worker.removeprefix('gw')) + 1}").geturl()
        settings.CACHES = {"default": {**cache, "LOCATION": own_database}}


@pytest.fixture(autouse=True, scope="session")
def session_media_root(tmp_path_factory):
    """Fixtures broader than a test (a class's or module's site) write uploads and social cards to a folder of this
    session, not to the developer's media/ (which xdist workers would share)."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes uploads to its own folder, never to the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def editor_user(db):
    user = User.objects.create_user("editor", "editor@example.com", "pw-editor", is_staff=True)
    user.groups.add(role("Editor"))
    return user


@pytest.fixture
def author_user(db):
    user = User.objects.create_user("writer", "writer@example.com", "pw-writer", is_staff=True)
    user.groups.add(role("Author"))
    return user


@pytest.fixture(autouse=True)
def interface_language_reset():
    """A request through LocaleMiddleware leaves its language active in this thread; the next test starts afresh."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Cached pages are keyed by the content generation, which every test's rolled-back database starts again."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def jinja2_renders_are_reported():
    """Django's test environment reports each render of its own engine (template_rendered, response.templates);
    the public site's Jinja2 pages are reported the same way, so tests can tell a rendered page from a stored one."""
    render = jinja2_backend.Template.render

    def reported_render(self, context=None, request=None):
        template_rendered.send(sender=self, template=self.template, context=context)
        return render(self, context, request)

    jinja2_backend.Template.render = reported_render
    yield
    jinja2_backend.Template.render = render
