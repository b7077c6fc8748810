"""Every public URL pattern, probed with malformed input, answers 2xx, 3xx or 4xx: never a 5xx.

The routes are read from the URLconf, not listed here, so a route added later is probed too: each
parameter gets garbage (invalid percent escapes, encoded NULs and slashes, unicode, overlong text, huge
numbers), and each route with real values gets bad page numbers, 10 KB query strings, HEAD, OPTIONS,
POST and a bad Host header. Django's admin is left out: its URLs are Django's, behind a login.
"""

import re
from urllib.parse import quote, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

from tests.factories import make_author, make_post, make_tag

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
SKIPPED_NAMESPACES = {"admin"}

# Already percent-encoded where a browser would send escapes; the rest is quoted by route_paths().
GARBAGE_TEXT = [
    "%ZZ", "%", "%00", "a%00b", "%C0%AF", "%E3%81", "%FF%FE", "..%2F..%2Fetc%2Fpasswd", "%2F%2Fevil.example",
    "日本語のスラッグ", "ｘｓｓ", "\u202egnp.exe", "😀", "<script>alert(1)</script>", "' OR 1=1 --", "x" * 1000,
]  # fmt: skip
GARBAGE_NUMBERS = ["0", "00", "99999999999999999999", "10000", "9999"]
PAGE_NUMBERS = ["0", "-1", "abc", str(10**20), "1.5", "%00", "", "2" * 300]
LONG_QUERIES = [
    "q=" + quote("長" * 1200) + "&page=1",  # 10 KB of percent-encoded text in one value
    "&".join(f"f{number}=v" for number in range(1500)),  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
    "q=%FF%FE%00&page=%ZZ&lang=%00&" + "x" * 10_000,
]
LANGUAGE_PREFIXES = ["en", "ja", "zh-hans"]
UNKNOWN_PREFIXES = ["xx", "EN", "zh", "ja-JP", "%ZZ"]


def routes(resolver=None, prefix="", namespace=""):
    """(route with `{lang}` for the language prefix, URL name) for every non-admin URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            part = "{lang}/" if isinstance(entry.pattern, LocalePrefixPattern) else route_of(entry)
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, prefix + part, inner)
        elif isinstance(entry, URLPattern):
            yield prefix + route_of(entry), f"{namespace}{entry.name}"


def route_of(entry):
    # A regex route would need its own garbage generator; say so instead of silently skipping it.
    assert isinstance(entry.pattern, RoutePattern), f"cannot probe regex route {entry.pattern}"
    return str(entry.pattern)


def fill(route, values):
    """`route` with each <converter:name> replaced by values(converter, name), URL-quoted, escapes kept."""

    def replace(match):
        return quote(values(match["converter"] or "str", match["name"]), safe="/%")

    return "/" + PARAMETER.sub(replace, route)


@pytest.fixture
def site():
    tag, author = make_tag("career"), make_author("Aiko")
    post = make_post(title="Leaving the lab", slug="leaving-the-lab", tags=[tag], authors=[author])
    make_post(language="ja", title="研究室を去る", slug="研究室", translation_key=post.translation_key)
    return {"post": post, "tag": tag, "author": author}


def real_value(site, url_name, name):
    """A value that finds a real object for this route, where the name says which; else a plausible word."""
    post = site["post"]
    if name == "year":
        return str(post.publish_at.year)
    if name == "month":
        return f"{post.publish_at.month:02d}"
    if name == "section":
        return "posts"
    for kind in ("tag", "author"):
        if kind in url_name:
            return site[kind].slug
    return post.slug if name == "slug" else "x"


def assert_not_5xx(response, what):
    assert response.status_code < 500, (response.status_code, what)
    if 300 <= response.status_code < 400 and "Location" in response:
        # Nothing malformed may turn into a redirect to another site (//evil.example/...).
        assert urlsplit(response["Location"]).netloc in ("", "testserver"), (response["Location"], what)


def test_the_urlconf_walk_finds_the_public_routes():
    found = dict((name, route) for route, name in routes())
    assert found["blog:post-detail"] == "{lang}/posts/<uslug:slug>/"
    assert {"blog:feed-rss", "blog:search", "blog:archive-month", "sitemap-section", "robots-txt"} <= set(found)
    assert not any(name.startswith("admin:") for name in found)


def test_garbage_in_every_parameter_and_prefix_is_never_a_server_error(client, site):
    probed = 0
    for route, _url_name in routes():
        garbage = GARBAGE_TEXT if "<" in route else [""]
        for value in garbage + (GARBAGE_NUMBERS if "<int:" in route else []):
            for prefix in ["en", *UNKNOWN_PREFIXES[:2]] if "{lang}" in route else [""]:
                path = fill(route.replace("{lang}", prefix), lambda converter, name, value=value: value)
                assert_not_5xx(client.get(path), path)
                probed += 1
    for prefix in UNKNOWN_PREFIXES:
        for path in (f"/{prefix}/", f"/{prefix}/posts/x/", f"/{prefix}/feeds/all.rss"):
            assert_not_5xx(client.get(path), path)
    assert client.get("/xx/").status_code == 404
    assert client.get("/ja/posts/%ZZ/").status_code == 404
    assert probed > 300


def test_every_route_with_real_values_survives_bad_queries_methods_and_hosts(client, site):
    found = set()
    for route, url_name in routes():
        for language in LANGUAGE_PREFIXES if "{lang}" in route else [""]:
            path = fill(
                route.replace("{lang}", language),
                lambda converter, name, url_name=url_name: real_value(site, url_name, name),
            )
            response = client.get(path)
            assert_not_5xx(response, path)
            if language != "en" and "{lang}" in route:
                continue
            if response.status_code == 200:
                found.add(url_name)
            for page in PAGE_NUMBERS:
                assert_not_5xx(client.get(f"{path}?page={page}&p={page}"), f"{path}?page={page}")
            for query in LONG_QUERIES:
                assert_not_5xx(client.get(f"{path}?{query}"), f"{path}?<{len(query)} bytes>")
            for method in (client.head, client.options, client.post, client.put, client.delete):
                assert_not_5xx(method(path), f"{method.__name__.upper()} {path}")
            for host in ("evil.example", "bad host!", "127.0.0.1:port", "x" * 300):
                assert client.get(path, HTTP_HOST=host).status_code == 400, (path, host)
    # The real values did find real pages, so the probes above went past the 404 of a missing object.
    pages = {"post-detail", "tag-detail", "author-detail", "archive-year", "archive-month", "search", "feed-rss"}
    assert {f"blog:{name}" for name in pages} | {"sitemap-section", "robots-txt"} <= found


def test_page_numbers_out_of_range_are_not_found(client, site):
    for page in ("0", "-1", "abc", str(10**20)):
        assert client.get(f"/en/?page={page}").status_code == 404, page
        assert client.get(f"/en/search/?q=lab&page={page}").status_code == 404, page
    assert client.get("/en/?page=1").status_code == 200
    assert client.get("/en/?page=last").status_code == 200
