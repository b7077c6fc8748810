"""Safe by default and nothing lost: production settings, browser-facing headers, login throttling, draft
previews that leak nowhere, and what readers and load balancers get while the database or Redis is away.

Settings and outages are tested as an operator meets them: `manage.py` and gunicorn in subprocesses, with
production's environment, against real databases that are really cut off.
"""

import base64
import hashlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from blog.editing import uploads
from blog.editing.preview import preview_url
from blog.models import Post
from config.urls import urlpatterns as site_urlpatterns
from harness.servers import free_port, gunicorn
from harness.web import request
from tests.factories import make_author, make_post, make_tag, url_in
from tests.paths import ROOT
from tests.processes import manage, postgres_url, production_env

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
DAY = timezone.timedelta(days=1)
PLAYER_SOURCES = {
    "https://www.youtube-nocookie.com/embed/",
    "https://www.youtube.com/embed/",
    "https://player.vimeo.com/video/",
}


# -- helpers ------------------------------------------------------------------------------------------


def settings_seen(env, *names):
    """Values of settings as a process started with `env` computes them."""
    code = "import json; from django.conf import settings; "
    code += "print(json.dumps({n: str(getattr(settings, n)) for n in %r}))"
    result = manage(env, "shell", "--no-imports", "-c", code % (names,))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


class PageParts(HTMLParser):
    """What a page would run or style inline: scripts without src, style attributes, event handlers."""

    def __init__(self):
        super().__init__()
        self.inline_scripts, self.inline_styles, self.handlers, self.frame_sources = [], [], [], []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/ld+json":
            self.inline_scripts.append("")
            self._in_inline_script = True
        if tag == "style" or "style" in attributes:
            self.inline_styles.append((tag, self.getpos()))
        self.handlers += [name for name in attributes if name.startswith("on")]
        if tag == "iframe":
            self.frame_sources.append(attributes.get("src", ""))
        if attributes.get("data-embed-src"):
            self.frame_sources.append(attributes["data-embed-src"])

    def handle_data(self, data):
        if self._in_inline_script:
            self.inline_scripts[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


# The inline script every page carries in its <head>.
THEME_SCRIPT = (ROOT / "static" / "js" / "theme.js").read_text(encoding="utf-8")


def hash_source(script):
    """The CSP source that allows exactly this inline script."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def page_parts(response):
    parts = PageParts()
    parts.feed(response.content.decode())
    return parts


# -- production settings --------------------------------------------------------------------------------


@pytest.mark.external
def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    result = manage(
        production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        "check", "--deploy", "--fail-level", "WARNING",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.external
def test_plain_http_serving_is_an_explicit_choice_that_the_deploy_check_reports(tmp_path):
    """PLAIN_HTTP=1 (make serve on localhost, the benchmark) drops HTTPS protections, and check --deploy says so."""
    result = manage(
        production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PLAIN_HTTP="1"),
        "check", "--deploy", "--fail-level", "WARNING",
    )  # fmt: skip
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.external
def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.external
def test_https_cookies_and_hsts_are_on_by_default_and_each_can_be_tuned_by_environment():
    names = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
             "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY")  # fmt: skip
    assert settings_seen(production_env(), *names) == {
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_HSTS_PRELOAD": "True",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SESSION_COOKIE_HTTPONLY": "True",
    }
    tuned = production_env(SECURE_HSTS_SECONDS="3600", SECURE_HSTS_PRELOAD="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="0")
    assert settings_seen(tuned, *names[1:4]) == {
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "False",
        "SECURE_HSTS_PRELOAD": "False",
    }


@pytest.mark.external
def test_admin_path_and_login_throttle_come_from_the_environment():
    env = production_env(ADMIN_URL_PATH="/backstage-7f3a/", LOGIN_FAILURE_LIMIT="8", LOGIN_LOCKOUT_MINUTES="30")
    code = "from django.urls import reverse; from django.conf import settings; "
    code += "print(reverse('admin:login'), settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)"
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.stdout.split() == ["/backstage-7f3a/login/", "8", "0:30:00"], result.stderr


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_with_hsts_but_the_health_check_answers(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/en/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/en/"
    assert "max-age=31536000" in client.get("/en/", secure=True)["Strict-Transport-Security"]
    assert client.get("/healthz").status_code == 200


# -- headers a browser enforces -------------------------------------------------------------------------


@pytest.fixture
def essay(db):
    tag, author = make_tag("research"), make_author("Hana")
    body = (
        "## Talk\n\nhttps://www.youtube.com/watch?v=MgE-e65W5oI\n\nhttps://vimeo.com/123456\n\n"
        '<iframe src="https://www.youtube.com/embed/MgE-e65W5oI" allowfullscreen></iframe>\n\n'
        '<iframe src="https://evil.example/frame"></iframe>\n\n'
        '<p style="color:red" onclick="alert(1)">Hi</p><script>alert(1)</script>\n'
    )
    return make_post(title="Leaving the lab", slug="leaving-the-lab", body=body, tags=[tag], authors=[author])


def public_pages(post):
    tag, author = post.tags.get(), post.authors.get()
    return [
        url_in("en", "blog:post-list"),
        url_in("ja", "blog:post-list"),
        post.get_absolute_url(),
        url_in("en", "blog:tag-detail", slug=tag.slug),
        url_in("en", "blog:author-detail", slug=author.slug),
        url_in("en", "blog:archive-year", year=post.publish_at.year),
        url_in("en", "blog:search") + "?q=lab",
        "/en/no-such-page/",
    ]


@pytest.mark.django_db
def test_every_public_page_carries_a_strict_content_security_policy(client, essay):
    for page in public_pages(essay):
        response = client.get(page)
        directives = csp_directives(response)
        # Beside the site's files, the one inline script: the reader's colour scheme, set before the first paint.
        assert directives["script-src"] == ["'self'", hash_source(THEME_SCRIPT)], page
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], page
        assert directives["style-src"] == ["'self'"], page
        assert set(directives["frame-src"]) == PLAYER_SOURCES, page
        assert directives["frame-ancestors"] == ["'none'"], page
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"], page


@pytest.mark.django_db
def test_every_public_page_sends_the_other_protective_headers(client, essay):
    for page in public_pages(essay):
        response = client.get(page)
        assert response["Referrer-Policy"] == "same-origin", page
        assert response["X-Content-Type-Options"] == "nosniff", page
        assert response["X-Frame-Options"] == "DENY", page
        policy = response["Permissions-Policy"]
        for denied in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "browsing-topics=()"):
            assert denied in policy, page
        assert 'fullscreen=(self "https://www.youtube-nocookie.com"' in policy, page


@pytest.mark.django_db
def test_public_pages_need_nothing_the_policy_blocks(client, essay):
    """No inline script but the colour scheme's, which the policy names by its hash, no inline style or handler
    anywhere; every player the page may load is one frame-src allows."""
    for page in public_pages(essay):
        response = client.get(page)
        parts = page_parts(response)
        assert [hash_source(script) for script in parts.inline_scripts] == csp_directives(response)["script-src"][1:]
        assert not parts.inline_styles and not parts.handlers, page
    players = page_parts(client.get(essay.get_absolute_url())).frame_sources
    assert len(players) == 3  # two facades and the pasted iframe; the evil.example frame was dropped
    for source in players:
        assert any(source.startswith(allowed) for allowed in PLAYER_SOURCES), source


@pytest.mark.django_db
def test_the_admin_and_the_markdownx_preview_run_without_inline_script(client, editor_user, essay):
    client.force_login(editor_user)
    for page in (reverse("admin:index"), reverse("admin:blog_post_change", args=[essay.pk]),
                 reverse("admin:blog_post_add"), reverse("admin:blog_post_changelist")):  # fmt: skip
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Content-Security-Policy" in response, page
        assert not page_parts(response).inline_scripts and not page_parts(response).handlers, page
    preview = client.post(reverse("markdownx_markdownify"), {"content": "# Hello\n\nhttps://youtu.be/MgE-e65W5oI"})
    assert preview.status_code == 200
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/MgE-e65W5oI' in preview.content.decode()


# -- admin login throttling ----------------------------------------------------------------------------


def log_in(client, password, username="editor", address="127.0.0.1", **headers):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def logged_in(client):
    return SESSION_KEY in client.session


@pytest.mark.django_db
def test_admin_login_locks_after_the_failure_limit_with_a_clear_page_then_lets_in_after_the_pause(
    client, editor_user, settings, time_machine
):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5  # LOGIN_FAILURE_LIMIT's default
    for _ in range(limit - 1):
        assertContains(log_in(client, "guess"), "Please enter the correct username and password", status_code=200)
    locked = log_in(client, "guess")
    assertContains(locked, "Too many failed logins", status_code=429)
    # Even the right password is refused while the address is paused.
    assert log_in(client, "pw-editor").status_code == 429
    assert not logged_in(client)

    time_machine.move_to(timezone.now() + settings.AXES_COOLOFF_TIME + timezone.timedelta(minutes=1))
    assert log_in(client, "pw-editor").status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_a_successful_login_clears_earlier_failures(client, editor_user, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        log_in(client, "guess")
    assert log_in(client, "pw-editor").status_code == 302
    client.logout()
    for _ in range(limit - 1):
        assert log_in(client, "guess").status_code == 200
    assert log_in(client, "guess").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_failures_count_per_client_address_and_forged_hops_do_not_help(client, editor_user, settings):
    settings.BUNKO_TRUSTED_PROXIES = 1
    proxy = "10.0.0.254"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "guess", address=proxy, x_forwarded_for="203.0.113.7")
    # Prepending a made-up address does not hide the one the proxy saw.
    assert log_in(client, "pw-editor", address=proxy, x_forwarded_for="198.51.100.1, 203.0.113.7").status_code == 429
    # Another reader behind the same proxy is not locked out with the attacker.
    assert log_in(client, "pw-editor", address=proxy, x_forwarded_for="198.51.100.1").status_code == 302


# -- drafts: signed previews, and no leak anywhere else -------------------------------------------------


@pytest.fixture
def draft(db):
    return make_post(title="Quokka findings", slug="quokka-findings", status=Post.Status.DRAFT, body="Quokka data.")


@pytest.mark.django_db
def test_anyone_with_a_preview_link_reads_the_draft_unindexed_and_uncached(client, draft):
    response = client.get(preview_url(draft))
    assertContains(response, "<h1>Quokka findings</h1>", html=True)
    assertContains(response, "Preview: this draft is not published.")
    assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assertNotContains(response, 'hreflang="x-default"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "label", "published_word"), [("ja", "下書き", "公開"), ("en", "Draft", "Published")]
)
def test_a_draft_preview_says_draft_and_shows_no_date(client, language, label, published_word):
    """It said 「公開」 beside an empty <time>, though nothing was published, even with a date already planned."""
    for number, publish_at in enumerate((None, timezone.now() + DAY)):
        draft = make_post(title=f"下書き{number}", language=language, status=Post.Status.DRAFT, publish_at=publish_at)
        meta = re.search(r'<p class="post-dates">(.*?)</p>', client.get(preview_url(draft)).content.decode(), re.S)
        assert label in meta.group(1)
        assert "<time" not in meta.group(1) and published_word not in meta.group(1)


@pytest.mark.django_db
def test_a_scheduled_post_previews_in_its_own_language_with_its_date(client):
    post = make_post(title="来週の記事", language="ja", publish_at=timezone.now() + DAY)
    link = preview_url(post)
    assert link.startswith("/ja/preview/")
    response = client.get(link)
    assertContains(response, "来週の記事")
    assertContains(response, '<html lang="ja">')


@pytest.mark.django_db
def test_a_preview_link_that_was_edited_expired_or_outlived_its_post_is_not_found(client, draft, time_machine):
    link = preview_url(draft)
    token = link.split("/")[-2]
    _claims, timestamp, signature = token.split(":")
    other = make_post(title="Other draft", status=Post.Status.DRAFT)
    other_link = preview_url(other)
    for forged in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        ":".join([other_link.split("/")[-2].split(":")[0], timestamp, signature]),  # another post's claims
        "not-a-token",
    ):
        assert client.get(url_in("en", "preview:post", token=forged)).status_code == 404, forged
    other.delete()
    assert client.get(other_link).status_code == 404

    assert client.get(link).status_code == 200
    time_machine.move_to(timezone.now() + timezone.timedelta(days=6, hours=23))
    assert client.get(link).status_code == 200
    time_machine.move_to(timezone.now() + timezone.timedelta(hours=2))
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_once_published_the_preview_link_leads_to_the_public_page(client, draft):
    link = preview_url(draft)
    draft.status = Post.Status.PUBLISHED
    draft.save()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


@pytest.mark.django_db
def test_editor_shares_the_preview_link_from_the_change_page_and_view_on_site_opens_it(client, editor_user, draft):
    client.force_login(editor_user)
    page = client.get(reverse("admin:blog_post_change", args=[draft.pk]))
    assertContains(page, "Share preview link")
    content = page.content.decode()
    shared = content.split('id="preview-url" class="vURLField" value="')[1].split('"')[0]
    assert shared.startswith("http://testserver/en/preview/")
    view_on_site = content.split('class="viewsitelink"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert view_on_site.startswith("/en/preview/")

    reader = Client()
    assertContains(reader.get(urlsplit(shared).path), "Quokka findings")
    assertContains(reader.get(view_on_site), "Quokka findings")

    published = make_post(title="Out already")
    page = client.get(reverse("admin:blog_post_change", args=[published.pk]))
    assertNotContains(page, "Share preview link")
    assertContains(page, f'href="{published.get_absolute_url()}" class="viewsitelink"')


def everything_a_reader_can_fetch(client, post, witness):
    """{path: body} of every public page, feed and sitemap section where `post` shows once published."""
    tag, author = post.tags.get(), post.authors.get()
    pages = [url_in(language, "blog:post-list") for language in ("en", "ja", "zh-hans")]
    pages += [
        url_in("en", "blog:post-detail", slug=post.slug),  # the guessed URL
        url_in("en", "blog:tag-detail", slug=tag.slug),
        url_in("en", "blog:author-detail", slug=author.slug),
        url_in("en", "blog:archive-year", year=post.publish_at.year),
        url_in("en", "blog:archive-month", year=post.publish_at.year, month=post.publish_at.month),
        url_in("en", "blog:search") + "?q=quokka",
        witness.get_absolute_url(),  # its editor picked the post as related
        url_in("en", "blog:feed-rss"),
        url_in("en", "blog:feed-atom"),
        url_in("en", "blog:language-feed-rss"),
        url_in("en", "blog:tag-feed-rss", slug=tag.slug),
        url_in("en", "blog:author-feed-atom", slug=author.slug),
    ]
    # A page that echoes its own address (the 404 page's language links) reveals nothing the reader did not type.
    fetched = {page: (response.status_code, response.content.decode().replace(page, "")) for page, response in
               ((page, client.get(page)) for page in pages)}  # fmt: skip
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [client.get(urlsplit(loc.text).path) for loc in index.iter(f"{{{SITEMAP_NS}}}loc")]
    fetched["sitemaps"] = (
        max(section.status_code for section in sections),
        "".join(section.content.decode() for section in sections),
    )
    return fetched


def png_upload(name):
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(image, "PNG")
    return SimpleUploadedFile(name, image.getvalue(), content_type="image/png")


@pytest.mark.django_db
@pytest.mark.parametrize("unpublished", ["draft", "scheduled"])
def test_an_unpublished_post_and_its_cover_leak_nowhere_until_it_is_published(client, unpublished, time_machine):
    tag, author = make_tag("quokkas"), make_author("Quinn")
    post = make_post(
        title="Quokka findings",
        slug="quokka-findings",
        summary="Quokka summary",
        body="Quokka body.",
        tags=[tag],
        authors=[author],
        status=Post.Status.DRAFT if unpublished == "draft" else Post.Status.PUBLISHED,
        publish_at=timezone.now() + DAY,
        # What the admin form stores for an upload named quokka-secret-plan.png.
        cover_image=uploads.reencoded_image(png_upload("quokka-secret-plan.png")),
    )
    cover = Path(post.cover_image.name).name
    assert re.fullmatch(r"[0-9a-f]{32}\.png", cover), "stored media names are unguessable, never the upload's"
    witness = make_post(title="Witness essay", related=[post], tags=[tag])

    before = everything_a_reader_can_fetch(client, post, witness)
    assert before[url_in("en", "blog:post-detail", slug=post.slug)][0] == 404
    telltales = ("quokka-findings", "Quokka", cover)
    assert [page for page, (_, body) in before.items() if any(telltale in body for telltale in telltales)] == []

    if unpublished == "draft":
        post.status = Post.Status.PUBLISHED
        post.save()
    time_machine.move_to(timezone.now() + 2 * DAY)
    after = everything_a_reader_can_fetch(client, post, witness)
    shown = {page for page, (status, body) in after.items() if status == 200 and any(t in body for t in telltales[:2])}
    assert set(after) - shown == set()
    assert cover in after[post.get_absolute_url()][1]


# -- outages -------------------------------------------------------------------------------------------


def test_health_check_reports_database_and_cache_without_language_prefix_or_caching(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def redis_down(settings):
    """Django's RedisCache pointed at a port where no Redis listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }


def read_through_cache(request):
    """A page that reads the cache, as any cached fragment would."""
    return HttpResponse(cache.get("greeting", "hello"))


urlpatterns = [path("cached/", read_through_cache), *site_urlpatterns]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_with_redis_down_pages_still_answer_and_a_cache_reading_page_gets_the_503_page(client, redis_down, essay):
    assert client.get(essay.get_absolute_url()).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"database": "ok", "cache": "error"}
    response = client.get("/cached/")
    assertContains(response, "Back in a moment", status_code=503)
    assert response["Retry-After"] == "30"


# Real servers for the database outages: gunicorn as production runs it, reached over HTTP.


def server_env(static_root, tmp_path, **overrides):
    return production_env(
        PLAIN_HTTP="1", ALLOWED_HOSTS="127.0.0.1", STATIC_ROOT=str(static_root), MEDIA_ROOT=str(tmp_path / "media"),
        **overrides,
    )  # fmt: skip


def serving(env, tmp_path):
    """One sync worker under gunicorn for a with block; yields its URL."""
    return gunicorn(env, workers=1, log=tmp_path / "gunicorn.log")


def assert_clean_503(status, headers, body, heading="Back in a moment"):
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert heading in body
    assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.external
def test_sqlite_outage_gives_readers_the_503_page_and_the_site_recovers_by_itself(static_root, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    # CONN_MAX_AGE=0: each request opens the file, so moving its folder away is an outage for the next one.
    env = server_env(static_root, tmp_path, DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}", CONN_MAX_AGE="0")
    assert manage(env, "migrate", "--no-input", "-v", "0").returncode == 0
    seed = "from tests.factories import make_post; make_post(title='Still here', slug='still-here')"
    assert manage(env, "shell", "-c", seed).returncode == 0

    with serving(env, tmp_path) as server:
        status, _, body = request(server.url, "/en/posts/still-here/")
        assert status == 200 and "Still here" in body

        data.rename(tmp_path / "unmounted")
        assert_clean_503(*request(server.url, "/en/posts/still-here/"))
        assert_clean_503(*request(server.url, "/ja/"), heading="ただいま表示できません")
        # Raised by a middleware (the redirects fallback looks up a 404), not a view: still the 503 page.
        assert_clean_503(*request(server.url, "/en/no-such-page/"))
        status, _, body = request(server.url, "/healthz")
        assert status == 503 and json.loads(body) == {"database": "error", "cache": "ok"}

        (tmp_path / "unmounted").rename(data)
        status, _, body = request(server.url, "/en/posts/still-here/")
        assert status == 200 and "Still here" in body
        assert request(server.url, "/healthz")[0] == 200


@pytest.mark.external
def test_unreachable_postgres_gives_the_503_page_and_a_failing_health_check(static_root, tmp_path):
    env = server_env(static_root, tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/bunko")
    with serving(env, tmp_path) as server:
        assert_clean_503(*request(server.url, "/en/"))
        assert_clean_503(*request(server.url, "/zh-hans/"), heading="暂时无法显示")
        status, headers, body = request(server.url, "/healthz")
        assert status == 503 and json.loads(body) == {"database": "error", "cache": "ok"}
        assert "no-store" in headers["Cache-Control"]


@pytest.mark.external
def test_a_dropped_persistent_postgres_connection_is_replaced_on_the_next_request(static_root, tmp_path):
    """A database restart kills the connection a worker keeps (CONN_MAX_AGE); the next request must not fail."""
    name = f"bunko-outage-{os.getpid()}"
    env = server_env(static_root, tmp_path, DATABASE_URL=postgres_url(application_name=name), CONN_MAX_AGE="600")
    backends = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
    with serving(env, tmp_path) as server, psycopg.connect(postgres_url(), autocommit=True) as admin:
        assert request(server.url, "/healthz")[0] == 200
        [(kept,)] = admin.execute(backends, [name]).fetchall()
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [kept]).fetchone() == (True,)

        status, _, body = request(server.url, "/healthz")
        assert status == 200 and json.loads(body)["database"] == "ok"
        [(replacement,)] = admin.execute(backends, [name]).fetchall()
        assert replacement != kept
