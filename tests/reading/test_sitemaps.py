"""The sitemap a search engine reads: an index of sections, exactly the published pages, hreflang alternates."""

import datetime
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone, translation

from blog.models import Post
from blog.reading.sitemaps import PostSitemap
from tests.factories import make_author, make_post, make_tag, url_in

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
ORIGIN = "http://testserver"
LANGUAGES = ["ja", "zh-hans", "en"]


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def section_urls(client):
    """Every sitemap page the index lists, as paths."""
    index = parse(client.get("/sitemap.xml"))
    locations = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert all(location.startswith(f"{ORIGIN}/sitemap-") for location in locations)
    return [location.removeprefix(ORIGIN) for location in locations]


def all_entries(client):
    """{loc: {"lastmod": ..., "alternates": {hreflang: href}}} across every page of every section."""
    entries = {}
    for path in section_urls(client):
        for url in parse(client.get(path)).findall("sm:url", NS):
            loc = url.find("sm:loc", NS).text
            assert loc not in entries, f"{loc} listed twice"
            lastmod = url.find("sm:lastmod", NS)
            entries[loc] = {
                "lastmod": lastmod.text if lastmod is not None else None,
                "alternates": {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)},
            }
    return entries


def every_location(entries):
    """Every URL the sitemap sends a crawler to: each <loc> and each hreflang alternate."""
    return set(entries) | {href for entry in entries.values() for href in entry["alternates"].values()}


def not_answering_200(client, entries):
    # Each page activates its own language in this thread; later tests expect the one active before.
    with translation.override(translation.get_language()):
        statuses = {url: client.get(url.removeprefix(ORIGIN)).status_code for url in every_location(entries)}
    return {location: status for location, status in sorted(statuses.items()) if status != 200}


def archive_months(entries):
    """{language: {(year, month)}} of the month archive pages the sitemap lists."""
    months = {language: set() for language in LANGUAGES}
    for language in LANGUAGES:
        prefix = absolute(url_in(language, "blog:post-list"))
        for location in entries:
            parts = location.removeprefix(prefix).strip("/").split("/")
            if location.startswith(prefix) and len(parts) == 3 and parts[0] == "archive":
                months[language].add((int(parts[1]), int(parts[2])))
    return months


def absolute(path):
    return ORIGIN + path


def absolute_url_in(language, name, **kwargs):
    return absolute(url_in(language, name, **kwargs))


@pytest.fixture
def site(db):
    """An essay in English and Japanese, an English-only essay, a draft and a scheduled post."""
    writer, drafter = make_author("Aiko"), make_author("Drafty")
    career, secret = make_tag("career"), make_tag("secret")
    original = make_post(title="Leaving the lab", language="en", authors=[writer], tags=[career])
    translated = make_post(
        title="研究室を出る", language="ja", translation_key=original.translation_key, authors=[writer], tags=[career]
    )
    solo = make_post(title="On reading papers", language="en", authors=[writer])
    draft = make_post(title="Unfinished", status=Post.Status.DRAFT, authors=[drafter], tags=[secret])
    scheduled = make_post(
        title="Next year",
        publish_at=timezone.now() + datetime.timedelta(days=400),
        authors=[drafter],
        tags=[secret],
    )
    # A draft translation of a published essay must not become an alternate.
    draft_translation = make_post(
        title="离开实验室", language="zh-hans", translation_key=original.translation_key, status=Post.Status.DRAFT
    )
    return {
        "published": [original, translated, solo],
        "hidden": [draft, scheduled, draft_translation],
        "writer": writer,
        "drafter": drafter,
        "career": career,
        "secret": secret,
    }


def test_index_lists_each_section_on_the_request_host(client, site):
    assert section_urls(client) == [
        "/sitemap-pages.xml",
        "/sitemap-posts.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/sitemap-archives.xml",
        "/sitemap-traditional.xml",
    ]


def test_sitemap_lists_exactly_the_published_posts_with_their_versions_as_alternates(client, site):
    entries = all_entries(client)
    post_locs = {loc for loc in entries if "/posts/" in loc}
    assert post_locs == {absolute(post.get_absolute_url()) for post in site["published"]}

    original, translated, solo = site["published"]
    pair = {"en": absolute(original.get_absolute_url()), "ja": absolute(translated.get_absolute_url())}
    assert entries[pair["en"]]["alternates"] == pair
    assert entries[pair["ja"]]["alternates"] == pair
    assert entries[absolute(solo.get_absolute_url())]["alternates"] == {"en": absolute(solo.get_absolute_url())}


def test_drafts_and_scheduled_posts_never_appear(client, site):
    entries = all_entries(client)
    everything = set(entries) | {href for entry in entries.values() for href in entry["alternates"].values()}
    for post in site["hidden"]:
        assert absolute(post.get_absolute_url()) not in everything
    # Tags and authors whose only posts are hidden have no page worth listing, nor does next year's archive.
    assert absolute_url_in("en", "blog:tag-detail", slug=site["secret"].slug) not in entries
    assert absolute_url_in("en", "blog:author-detail", slug=site["drafter"].slug) not in entries
    next_year = site["hidden"][1].publish_at.year
    assert absolute_url_in("en", "blog:archive-year", year=next_year) not in entries


def test_tag_author_archive_and_home_pages_appear_in_every_language_with_alternates(client, site):
    entries = all_entries(client)
    published_at = site["published"][0].publish_at
    pages = [
        ("blog:post-list", {}),
        ("blog:tag-detail", {"slug": site["career"].slug}),
        ("blog:author-detail", {"slug": site["writer"].slug}),
        ("blog:archive-year", {"year": published_at.year}),
        ("blog:archive-month", {"year": published_at.year, "month": published_at.month}),
    ]
    for name, kwargs in pages:
        versions = {language: absolute_url_in(language, name, **kwargs) for language in LANGUAGES}
        for url in versions.values():
            assert entries[url]["alternates"] == versions


def test_lastmod_is_the_posts_last_edit(client, site):
    original = site["published"][0]
    edited_at = timezone.now() + datetime.timedelta(days=3)
    Post.objects.filter(pk=original.pk).update(updated_at=edited_at)
    # An editor's later work on a draft in the same tag is not a change readers can see.
    draft = make_post(status=Post.Status.DRAFT, tags=[site["career"]], authors=[site["writer"]])
    Post.objects.filter(pk=draft.pk).update(updated_at=edited_at + datetime.timedelta(days=5))
    entries = all_entries(client)
    edited_on = edited_at.date().isoformat()
    assert entries[absolute(original.get_absolute_url())]["lastmod"] == edited_on
    # The tag and author pages changed when their newest post did.
    assert entries[absolute_url_in("en", "blog:tag-detail", slug=site["career"].slug)]["lastmod"] == edited_on
    assert entries[absolute_url_in("en", "blog:author-detail", slug=site["writer"].slug)]["lastmod"] == edited_on


def test_a_scheduled_post_joins_the_sitemap_when_its_time_comes(client, site, time_machine):
    scheduled = site["hidden"][1]
    assert absolute(scheduled.get_absolute_url()) not in all_entries(client)
    time_machine.move_to(scheduled.publish_at + datetime.timedelta(minutes=1))
    entries = all_entries(client)
    assert absolute(scheduled.get_absolute_url()) in entries
    assert absolute_url_in("en", "blog:archive-year", year=scheduled.publish_at.year) in entries


def test_large_sections_are_split_into_pages_listed_in_the_index(client, site, monkeypatch):
    monkeypatch.setattr(PostSitemap, "limit", 2)
    assert "/sitemap-posts.xml?p=2" in section_urls(client)
    first = parse(client.get("/sitemap-posts.xml")).findall("sm:url", NS)
    second = parse(client.get("/sitemap-posts.xml?p=2")).findall("sm:url", NS)
    assert (len(first), len(second)) == (2, 1)
    assert client.get("/sitemap-posts.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_urls_use_the_scheme_and_host_of_the_request(client, site):
    response = client.get("/sitemap-posts.xml", secure=True)
    locations = [loc.text for loc in parse(response).findall("sm:url/sm:loc", NS)]
    assert locations and all(location.startswith("https://testserver/") for location in locations)
    index = parse(client.get("/sitemap.xml", secure=True))
    assert index.find("sm:sitemap/sm:loc", NS).text == "https://testserver/sitemap-pages.xml"


@pytest.mark.parametrize("essays", [4, 12])
def test_a_sitemap_page_costs_the_same_queries_however_many_posts(client, db, django_assert_max_num_queries, essays):
    """Guards the N+1 of one versions query per post (hreflang alternates) or per tag/author.

    One of the queries reads the content generation, which gives sitemaps their ETag and page cache.
    """
    for n in range(essays):
        original = make_post(title=f"Essay {n}", tags=[make_tag()])
        make_post(title=f"エッセイ {n}", language="ja", translation_key=original.translation_key)
    for path in ["/sitemap-posts.xml", "/sitemap-tags.xml", "/sitemap-authors.xml", "/sitemap-archives.xml"]:
        with django_assert_max_num_queries(5):
            assert client.get(path).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/sitemap.xml").status_code == 200


def test_tags_and_months_found_for_the_sitemap_follow_the_next_publication(client, db):
    make_post(title="First", tags=[make_tag("career")], publish_at=timezone.now() - datetime.timedelta(days=400))
    assert f"{ORIGIN}{url_in('en', 'blog:tag-detail', slug='lab-life')}" not in all_entries(client)
    newer = make_post(title="Second", tags=[make_tag("lab-life")])
    entries = all_entries(client)
    assert f"{ORIGIN}{url_in('en', 'blog:tag-detail', slug='lab-life')}" in entries
    month = url_in("en", "blog:archive-month", year=newer.publish_at.year, month=newer.publish_at.month)
    assert f"{ORIGIN}{month}" in entries
    assert client.get("/sitemap.xml")["ETag"]


# -- every URL answers 200 -------------------------------------------------------------------------


def test_every_url_in_the_sitemap_of_the_demo_content_answers_200(client, db):
    call_command("load_demo", stdout=StringIO())
    entries = all_entries(client)
    assert len(entries) > 50
    assert not_answering_200(client, entries) == {}


def test_every_url_in_the_sitemap_answers_200_when_translations_appear_in_later_months(client, db):
    """Seeded essays whose Chinese and English versions follow the Japanese original by weeks."""
    call_command("seed_posts", size=24, stdout=StringIO())
    originals = Post.objects.filter(language="ja").values("translation_key")
    for language, days in [("zh-hans", 40), ("en", 75)]:
        Post.objects.filter(language=language, translation_key__in=originals).update(
            publish_at=F("publish_at") + datetime.timedelta(days=days)
        )
    entries = all_entries(client)
    months = archive_months(entries)
    # The setup did what it says: some months hold an essay in one language's lists and not in another's.
    assert months["ja"] - months["zh-hans"] and months["zh-hans"] - months["ja"] and months["en"] - months["ja"]
    assert not_answering_200(client, entries) == {}


def test_each_language_lists_exactly_the_months_its_lists_hold(client, db):
    """The rule of the archive links beside every list: a month holds the version a reader of that language sees."""
    january, march = (datetime.datetime(2024, month, 10, tzinfo=datetime.UTC) for month in (1, 3))
    original = make_post(title="Leaving the lab", language="en", publish_at=january)
    make_post(title="研究室を出る", language="ja", translation_key=original.translation_key, publish_at=march)
    entries = all_entries(client)

    # Japanese lists show the March translation; Chinese ones, with no translation, the January original.
    assert archive_months(entries) == {"en": {(2024, 1)}, "ja": {(2024, 3)}, "zh-hans": {(2024, 1)}}
    january_pages = {
        language: absolute_url_in(language, "blog:archive-month", year=2024, month=1) for language in ["en", "zh-hans"]
    }
    for url in january_pages.values():
        assert entries[url]["alternates"] == january_pages
    march_page = absolute_url_in("ja", "blog:archive-month", year=2024, month=3)
    assert entries[march_page]["alternates"] == {"ja": march_page}
    year_pages = {language: absolute_url_in(language, "blog:archive-year", year=2024) for language in LANGUAGES}
    assert entries[year_pages["ja"]]["alternates"] == year_pages
    assert not_answering_200(client, entries) == {}
