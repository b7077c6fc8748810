"""The in-process half of the benchmark: which URLs to load, and what one request to each costs.

Run by bench/run.py as `python -m bench.probe` with the benchmark's environment (bench.settings, the
seeded database). For every page it requests the URL twice through Django's test client and records
the second (warm) request's status, body size and SQL queries: numbers that do not depend on load, so
they are measured here once rather than under wrk. Prints JSON on stdout.
"""

import argparse
import json
import sys
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Exists, OuterRef, Subquery  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.encoding import iri_to_uri  # noqa: E402

from bench.urls import BASELINE_PATH  # noqa: E402
from blog.models import Post, RelatedPost, Tag  # noqa: E402

SEARCH_WORD = "博士"
# Pages measured again as `-304` (the same URL with If-None-Match of its ETag) ...
CONDITIONAL_PAGES = ("post", "feed-rss")
# ... and as `-cached`, served by the page cache (bench/run.py turns it off for the other rows).
CACHED_PAGES = ("post", "home", "tag", "author", "feed-rss")
SOAK_POSTS = 300
SOAK_LIST_PAGES = 10
# Seconds one probed request may take before its query is cancelled and the page reported as failing.
REQUEST_TIME_LIMIT = 60


@dataclass
class PageProbe:
    name: str
    path: str
    headers: dict = field(default_factory=dict)
    status: int | None = None
    bytes: int | None = None
    queries: int | None = None
    etag: str | None = None
    error: str | None = None


def url(name, language, query=None, **kwargs):
    with translation.override(language):
        path = reverse(name, kwargs=kwargs or None)
    return iri_to_uri(path) + (f"?{urlencode(query)}" if query else "")


def showcase_post(language):
    """The richest published post in `language`: most versions, editor-picked related posts, newest."""
    published = Post.objects.published()
    versions = (
        published.filter(translation_key=OuterRef("translation_key"))
        .order_by()
        .values("translation_key")
        .annotate(count=Count("pk"))
        .values("count")
    )
    picks = Exists(RelatedPost.objects.filter(from_post=OuterRef("pk")))
    return (
        published.filter(language=language)
        .annotate(version_count=Subquery(versions), has_picks=picks)
        .order_by("-version_count", "-has_picks", "-publish_at")
        .first()
    ) or published.first()


def page_paths(language):
    """(name, path) for every benchmarked page; a page whose URL cannot be built gets path None."""
    post = showcase_post(language)
    if post is not None:
        language = post.language
    tag = post and Tag.objects.filter(posts=post).annotate(count=Count("posts")).order_by("-count", "pk").first()
    byline = post and post.bylines.select_related("author").first()
    builders = {
        "baseline": lambda: "/" + BASELINE_PATH,
        "post": lambda: iri_to_uri(post.get_absolute_url()),
        "home": lambda: url("blog:post-list", language),
        "tag": lambda: url("blog:tag-detail", language, slug=tag.slug),
        "author": lambda: url("blog:author-detail", language, slug=byline.author.slug),
        "archive": lambda: url(
            "blog:archive-month", language, year=post.publish_at.year, month=f"{post.publish_at.month:02d}"
        ),
        "search": lambda: url("blog:search", language, query={"q": SEARCH_WORD}),
        "feed-rss": lambda: url("blog:feed-rss", language),
        "feed-atom": lambda: url("blog:feed-atom", language),
        "sitemap": lambda: iri_to_uri(reverse("sitemap-index")),
        "sitemap-posts": lambda: iri_to_uri(reverse("sitemap-section", kwargs={"section": "posts"})),
    }
    paths = []
    for name, build in builders.items():
        try:
            paths.append((name, build(), None))
        except Exception as error:  # A page another change has not finished yet is reported, not fatal.
            paths.append((name, None, f"{type(error).__name__}: {error}"))
    return paths


@contextmanager
def cancel_after(seconds):
    """Cancel the query running when a request has taken `seconds`: so slow a page is reported, not awaited."""
    connection.ensure_connection()
    raw = connection.connection
    cancel = raw.interrupt if connection.vendor == "sqlite" else raw.cancel_safe
    timer = threading.Timer(seconds, cancel)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def measure(client, probe):
    """Fill in status, bytes and SQL queries of a warm request to `probe.path`."""
    try:
        with cancel_after(REQUEST_TIME_LIMIT):
            response = client.get(probe.path, headers=probe.headers)  # warms catalogues and model caches
        if not response.exc_info:
            with CaptureQueriesContext(connection) as queries, cancel_after(REQUEST_TIME_LIMIT):
                response = client.get(probe.path, headers=probe.headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception as error:
        probe.error = f"{type(error).__name__}: {error}"
        return probe
    if response.exc_info:  # a 500: say why, so a broken page is diagnosed from the report
        probe.status, probe.error = response.status_code, f"{response.exc_info[0].__name__}: {response.exc_info[1]}"
        return probe
    probe.status, probe.bytes, probe.queries = response.status_code, len(body), len(queries)
    probe.etag = response.get("ETag")
    return probe


def measured(client, probe):
    return probe if probe.error else measure(client, probe)


def revalidation(client, page):
    """The page's `-304` row: what a feed reader or browser sends once it has the page."""
    probe = PageProbe(f"{page.name}-304", page.path, error=page.error)
    if page.etag:
        probe.headers = {"If-None-Match": page.etag}
        return measure(client, probe)
    if not page.error:
        probe.error = "the page sent no ETag"
    return probe


def probe_pages(host, language, names=None, page_cache=False):
    """Each page and its `-304` row; with `page_cache`, only the `-cached` rows (the warm request is a hit)."""
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    probes = []
    for name, path, error in page_paths(language):
        if page_cache:
            rows = [f"{name}-cached"] if name in CACHED_PAGES else []
        else:
            rows = [name, *([f"{name}-304"] if name in CONDITIONAL_PAGES else [])]
        if not rows or (names and not set(rows) & set(names)):
            continue
        page = measured(client, PageProbe(rows[0], path, error=error))
        probes.append(page)
        if f"{name}-304" in rows:
            probes.append(revalidation(client, page))
    return [probe for probe in probes if not names or probe.name in names]


def soak_paths(language):
    """Many distinct URLs for the memory check, so workers see the variety a crawler brings."""
    paths = [
        iri_to_uri(post.get_absolute_url()) for post in Post.objects.published().only("slug", "language")[:SOAK_POSTS]
    ]
    # Each list shows one version per essay, so a third of all posts in pages surely exists.
    list_pages = min(SOAK_LIST_PAGES, Post.objects.published().count() // 3 // settings.BUNKO_POSTS_PER_PAGE)
    for code in ("ja", "zh-hans", "en"):
        paths += [url("blog:post-list", code, query={"page": page}) for page in range(1, max(1, list_pages) + 1)]
        paths += [url("blog:tag-detail", code, slug=slug) for slug in Tag.objects.values_list("slug", flat=True)[:20]]
        paths += [url("blog:search", code, query={"q": word}) for word in (SEARCH_WORD, "転職", "career")]
        paths += [url("blog:feed-rss", code), url("blog:feed-atom", code)]
    return [path for path in paths if path]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="Host header, as gunicorn will be addressed.")
    parser.add_argument("--language", default="en")
    parser.add_argument("--pages", help="Comma-separated page names to probe (default: all).")
    parser.add_argument("--soak-paths", help="Also write URLs for the memory check to this file, one a line.")
    parser.add_argument("--page-cache", action="store_true", help="Probe the -cached rows (the page cache is on).")
    args = parser.parse_args(argv)
    names = args.pages.split(",") if args.pages else None
    probes = probe_pages(args.host, args.language, names, page_cache=args.page_cache)
    result = {"database": connection.vendor, "pages": [asdict(probe) for probe in probes]}
    if args.soak_paths:
        with open(args.soak_paths, "w") as out:
            out.write("\n".join(soak_paths(args.language)) + "\n")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
