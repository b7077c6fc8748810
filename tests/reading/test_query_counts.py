"""Query budgets that hold as the site grows: the same pages at 10 and at 10,000 seeded posts.

The benchmark's own seeded site (seed_posts) is built once per size for the whole module inside a
transaction that is rolled back afterwards; each test runs in a savepoint within it.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from blog.models import Post
from tests.factories import url_in

SITE_SIZES = [10, 10_000]
POST_PAGE_QUERIES = 6
LIST_PAGE_QUERIES = 8


@pytest.fixture(scope="module", params=SITE_SIZES, ids=lambda size: f"{size}-posts")
def seeded_site(request, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_posts", size=request.param, stdout=io.StringIO())
        yield request.param
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_site, db, settings):
    """An English essay of the seeded site, with editor-picked related posts; the page cache is off."""
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    english = Post.objects.published().filter(language="en").annotate(picks=Count("related_entries"))
    return english.order_by("-picks", "pk").first()


def test_the_seeded_site_has_the_size_it_claims(seeded_site, seeded):
    assert Post.objects.count() == seeded_site


def list_pages(post):
    tag, author = post.tags.first(), post.authors.first()
    return {
        "home": url_in("en", "blog:post-list"),
        "home-in-chinese": url_in("en", "blog:post-list") + "?lang=zh-hans",
        "tag": url_in("en", "blog:tag-detail", slug=tag.slug),
        "author": url_in("en", "blog:author-detail", slug=author.slug),
        "archive-year": url_in("en", "blog:archive-year", year=post.publish_at.year),
        "archive-month": url_in("en", "blog:archive-month", year=post.publish_at.year, month=post.publish_at.month),
        "search": url_in("ja", "blog:search") + "?q=博士",
        "feed": url_in("en", "blog:feed-rss"),
        "tag-feed": url_in("en", "blog:tag-feed-atom", slug=tag.slug),
        "sitemap-posts": "/sitemap-posts.xml",
    }


def test_a_post_page_stays_within_its_query_budget(client, seeded, django_assert_max_num_queries):
    """Guards the N+1s a post page invites: bylines, tags, versions, related posts and links, neighbours."""
    with django_assert_max_num_queries(POST_PAGE_QUERIES):
        response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    assert seeded.title in response.content.decode()


LIST_PAGES = [
    "home", "home-in-chinese", "tag", "author", "archive-year", "archive-month", "search", "feed",
    "tag-feed", "sitemap-posts",
]  # fmt: skip


@pytest.mark.parametrize("page", LIST_PAGES)
def test_a_list_page_stays_within_its_query_budget(client, seeded, page, django_assert_max_num_queries):
    """Guards per-card queries (bylines, authors, tags, translations) and per-month archive queries."""
    path = list_pages(seeded)[page]
    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = client.get(path)
    assert response.status_code == 200, path
    assert response.content
