"""List pages that cost the same at any size: pages without a total, month links found by index hops."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from blog.reading.pagination import OpenEndedPaginator
from blog.reading.views import PublishedPostMixin
from tests.factories import make_author, make_post, make_tag, url_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_per_page(settings, monkeypatch):
    """Lists of two essays a page (list views read the setting once, when their class is made)."""
    settings.BUNKO_POSTS_PER_PAGE = 2
    monkeypatch.setattr(PublishedPostMixin, "paginate_by", 2)


def month_links(response):
    """The archive links beside a list, as (year, month) pairs in page order."""
    section = response.content.decode().split('id="month-links-title"', 1)[1]
    return [(int(year), int(month)) for year, month in re.findall(r'/archive/(\d+)/(\d+)/"', section)]


def essays(count, **fields):
    """`count` English essays a day apart, newest first in the list as "Essay 0", "Essay 1"..."""
    return [
        make_post(title=f"Essay {n}", publish_at=datetime(2024, 5, 28 - n, tzinfo=UTC), **fields) for n in range(count)
    ]


# Pages without a total -------------------------------------------------------------------------


def test_a_list_names_its_page_and_links_older_and_newer_pages_without_counting(client, two_per_page):
    essays(5)
    home = url_in("en", "blog:post-list")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(home)
    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]
    assertContains(first, '<span class="pagination-current">Page 1</span>', html=True)
    assertContains(first, 'rel="next" href="?page=2"')
    assertNotContains(first, 'rel="prev"')

    middle = client.get(home + "?page=2")
    assertContains(middle, 'rel="prev" href="?page=1"')
    assertContains(middle, 'rel="next" href="?page=3"')

    last = client.get(home + "?page=3")
    assertContains(last, "Essay 4<")
    assertContains(last, 'rel="prev" href="?page=2"')
    assertNotContains(last, 'rel="next"')
    assert client.get(home + "?page=4").status_code == 404


def test_a_list_that_fits_on_one_page_shows_no_pagination(client):
    essays(2)
    assertNotContains(client.get(url_in("en", "blog:post-list")), 'class="pagination"')


def test_the_page_name_is_translated(client, two_per_page):
    essays(3)
    assertContains(client.get(url_in("ja", "blog:post-list") + "?page=2"), "2 ページ目")
    assertContains(client.get(url_in("zh-hans", "blog:post-list") + "?page=2"), "第 2 页")


@pytest.mark.parametrize("name", ["blog:post-list", "blog:tag-detail", "blog:author-detail", "blog:search"])
def test_pages_stop_at_the_deepest_page_so_offsets_stay_bounded(client, two_per_page, monkeypatch, name):
    monkeypatch.setattr(OpenEndedPaginator, "max_pages", 2)
    tag, author = make_tag("t"), make_author("A")
    essays(5, tags=[tag], authors=[author])
    kwargs = {"blog:tag-detail": {"slug": tag.slug}, "blog:author-detail": {"slug": author.slug}}.get(name, {})
    url = url_in("en", name, **kwargs) + ("?q=essay&" if name == "blog:search" else "?")
    deepest = client.get(url + "page=2")
    assertContains(deepest, 'rel="prev"')
    assertNotContains(deepest, 'rel="next"')
    assert client.get(url + "page=3").status_code == 404


def test_the_last_page_can_still_be_asked_for_by_name(client, two_per_page):
    essays(5)
    last = client.get(url_in("en", "blog:post-list") + "?page=last")
    assertContains(last, "Essay 4<")
    assertContains(last, '<span class="pagination-current">Page 3</span>', html=True)


def test_search_pages_through_matches_without_counting_them(client, two_per_page):
    essays(3)
    first = client.get(url_in("en", "blog:search") + "?q=essay")
    assertContains(first, 'class="search-result"', count=2)
    assertContains(first, '<span class="pagination-current">Page 1</span>', html=True)
    assertContains(first, 'rel="next"')
    last = client.get(url_in("en", "blog:search") + "?q=essay&page=2")
    assertContains(last, 'class="search-result"', count=1)
    assertNotContains(last, 'rel="next"')


# Month links ------------------------------------------------------------------------------------


def test_month_links_name_each_month_holding_an_essay_in_the_readers_list(client):
    make_post(title="March", publish_at=datetime(2023, 3, 10, tzinfo=UTC))
    make_post(title="Also March", publish_at=datetime(2023, 3, 20, tzinfo=UTC))
    make_post(title="December", publish_at=datetime(2022, 12, 31, 23, tzinfo=UTC))
    original = make_post(title="July", publish_at=datetime(2023, 7, 1, tzinfo=UTC))
    # A Japanese translation published later: the English list shows the original, so its month is not linked.
    translated = datetime(2024, 2, 1, tzinfo=UTC)
    make_post(language="ja", title="七月", translation_key=original.translation_key, publish_at=translated)
    # An essay only in Chinese is listed (in Chinese) for English readers too.
    make_post(language="zh-hans", title="五月", publish_at=datetime(2021, 5, 5, tzinfo=UTC))

    assert month_links(client.get(url_in("en", "blog:post-list"))) == [(2023, 7), (2023, 3), (2022, 12), (2021, 5)]
    assert month_links(client.get(url_in("ja", "blog:post-list"))) == [(2024, 2), (2023, 3), (2022, 12), (2021, 5)]


def test_month_links_follow_an_essay_moved_or_unpublished(client):
    essay = make_post(title="March", publish_at=datetime(2023, 3, 10, tzinfo=UTC))
    make_post(title="May", publish_at=datetime(2023, 5, 1, tzinfo=UTC))
    home = url_in("en", "blog:post-list")
    assert month_links(client.get(home)) == [(2023, 5), (2023, 3)]
    essay.publish_at = datetime(2022, 12, 24, tzinfo=UTC)
    essay.save()
    assert month_links(client.get(home)) == [(2023, 5), (2022, 12)]
    essay.status = Post.Status.DRAFT
    essay.save()
    assert month_links(client.get(home)) == [(2023, 5)]


@pytest.mark.parametrize(
    ("zone", "months"),
    [
        ("UTC", [(2023, 3), (2023, 2)]),
        ("Asia/Tokyo", [(2023, 4), (2023, 3), (2023, 2)]),
        ("America/New_York", [(2023, 3), (2023, 2)]),
    ],
)
def test_month_links_follow_the_sites_time_zone(client, settings, zone, months):
    """A UTC month overlaps two local months; each essay is linked under the month its readers' clocks showed."""
    settings.TIME_ZONE = zone
    make_post(title="Late March", publish_at=datetime(2023, 3, 31, 20, tzinfo=UTC))
    make_post(title="Early March", publish_at=datetime(2023, 3, 1, 2, tzinfo=UTC))
    make_post(title="February", publish_at=datetime(2023, 2, 28, 14, tzinfo=UTC))
    assert month_links(client.get(url_in("en", "blog:post-list"))) == months


def test_the_year_archive_lists_its_months_in_order(client):
    for month in (11, 2, 6):
        make_post(title=f"Month {month}", publish_at=datetime(2023, month, 15, tzinfo=UTC))
    make_post(title="Next year", publish_at=datetime(2024, 1, 15, tzinfo=UTC))
    response = client.get(url_in("en", "blog:archive-year", year=2023))
    nav = response.content.decode().split('class="month-links" aria-label=', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r"/archive/2023/(\d+)/", nav) == ["2", "6", "11"]


# Cards -------------------------------------------------------------------------------------------


def test_a_renamed_tag_or_author_is_linked_by_its_new_slug_at_once(client):
    tag, author = make_tag("career"), make_author("Aiko")
    make_post(title="Leaving the lab", tags=[tag], authors=[author])
    home = url_in("en", "blog:post-list")
    assertContains(client.get(home), f'href="{url_in("en", "blog:tag-detail", slug="career")}"')

    tag.slug, author.slug = "careers", "aiko-tanaka"
    tag.save()
    author.save()
    response = client.get(home)
    assertContains(response, f'href="{url_in("en", "blog:tag-detail", slug="careers")}"')
    assertContains(response, f'href="{url_in("en", "blog:author-detail", slug="aiko-tanaka")}"')
