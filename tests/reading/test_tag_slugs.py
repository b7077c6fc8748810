"""Issue 25: a tag has a slug per language. Its page in a language is at that language's slug (else the tag's
own); the tag's other slugs answer 301 there, and every link, feed and sitemap entry uses the reader's."""

import io
import xml.etree.ElementTree as ET

import feedparser
import pytest

from blog.models import TagName
from tests.factories import make_post, make_tag, url_in

pytestmark = pytest.mark.django_db

LANGUAGES = ["ja", "zh-hans", "en"]
# The tag's page in each language, at the slug made from its name in that language.
SLUGS = {"ja": "キャリア", "zh-hans": "职业", "en": "career"}
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def career():
    """A tag imported from a Hugo site with an opaque slug of its own, then named in each language."""
    tag = make_tag("キャリア", slug="c01", description="キャリアの分かれ道。")
    TagName.objects.create(tag=tag, language="ja", name="キャリア")
    TagName.objects.create(tag=tag, language="en", name="career", description="The fork in the road.")
    TagName.objects.create(tag=tag, language="zh-hans", name="职业")
    return tag


def tag_url(language, slug=None, route="blog:tag-detail"):
    return url_in(language, route, slug=slug or SLUGS[language])


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_tags_name_gets_a_slug_in_its_language_from_the_name(career):
    assert dict(career.names.values_list("language", "slug")) == SLUGS


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tag_page_answers_at_the_readers_slug_and_its_other_slugs_move_there(client, career, language):
    make_post(language=language, tags=[career])
    assert "<h1>" in page(client, tag_url(language))
    for other in {"c01", *SLUGS.values()} - {SLUGS[language]}:
        response = client.get(tag_url(language, other) + f"?page=2&lang={language}&utm_source=x")
        assert response.status_code == 301, other
        assert response["Location"] == f"{tag_url(language)}?lang={language}&page=2"
    assert client.get(tag_url(language, "no-such-tag")).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_tag_pages_link_each_other_as_alternates_and_in_the_switcher_at_their_own_slugs(client, career, language):
    make_post(language=language, tags=[career])
    tag_page = page(client, tag_url(language))
    for other in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{other}" href="http://testserver{tag_url(other)}">' in tag_page
        if other != language:
            assert f'<a href="{tag_url(other)}" hreflang="{other}" lang="{other}">' in tag_page
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{tag_url("en")}">' in tag_page


@pytest.mark.parametrize("language", LANGUAGES)
def test_post_pages_cards_and_feeds_link_the_tag_at_the_readers_slug(client, career, language):
    post = make_post(language=language, tags=[career])
    link = f'<a href="{tag_url(language)}" rel="tag">'
    assert link in page(client, post.get_absolute_url())
    assert link in page(client, url_in(language, "blog:post-list"))

    tag_page = page(client, tag_url(language))
    for route in ("blog:tag-feed-atom", "blog:tag-feed-rss"):
        assert f'href="{tag_url(language, route=route)}"' in tag_page
    feed = feedparser.parse(io.BytesIO(client.get(tag_url(language, route="blog:tag-feed-atom")).content))
    assert feed.feed.link == f"http://testserver{tag_url(language)}"
    # A reader subscribed at the tag's own slug, before the tag had one in this language, is moved.
    moved = client.get(tag_url(language, "c01", route="blog:tag-feed-rss"))
    assert (moved.status_code, moved["Location"]) == (301, tag_url(language, route="blog:tag-feed-rss"))


def test_the_sitemap_lists_the_tags_page_in_each_language_at_its_slug_with_the_others_as_alternates(client, career):
    make_post(language="ja", tags=[career])
    urls = ET.fromstring(client.get("/sitemap-tags.xml").content).findall("s:url", SITEMAP)
    expected = {f"http://testserver{tag_url(code)}" for code in LANGUAGES}
    assert {url.find("s:loc", SITEMAP).text for url in urls} == expected
    for url in urls:
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", SITEMAP)}
        assert alternates == {code: f"http://testserver{tag_url(code)}" for code in LANGUAGES}


def test_a_slug_never_leads_to_two_tags(career):
    """A new tag or name whose slug another tag has, as its own or in a language, gets a -2: else one of the two
    tags' pages could not be reached in some language."""
    job = make_tag("career")  # would be the English slug of キャリア
    assert job.slug == "career-2"
    lab = make_tag("实验室生活")
    english = TagName.objects.create(tag=lab, language="en", name="c01")  # the other tag's own slug
    chinese = TagName.objects.create(tag=lab, language="zh-hans", name="职业")
    assert (english.slug, chinese.slug) == ("c01-2", "职业-2")
    # The same tag may keep one slug in several languages.
    assert TagName.objects.create(tag=job, language="ja", name="career").slug == "career-2"


@pytest.mark.parametrize("size", [3, 9])
def test_tag_links_in_other_languages_add_no_query_per_card(client, django_assert_max_num_queries, settings, size):
    """Guards the N+1 of reading each tag's slug in the reader's language per card or per link."""
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    for n in range(size):
        tag = make_tag(f"タグ{n}")
        TagName.objects.create(tag=tag, language="en", name=f"topic {n}")
        make_post(language="en", slug=f"essay-{n}", tags=[tag])
    with django_assert_max_num_queries(8):
        home = page(client, url_in("en", "blog:post-list"))
    assert home.count('rel="tag"') == size and f'href="{url_in("en", "blog:tag-detail", slug="topic-0")}"' in home
    with django_assert_max_num_queries(8):
        page(client, url_in("en", "blog:tag-detail", slug="topic-0"))


def test_the_traditional_page_of_a_chinese_essay_links_the_tag_at_its_chinese_slug(client, career):
    post = make_post(language="zh-hans", tags=[career])
    assert f'<a href="{tag_url("zh-hans")}" rel="tag">' in page(client, post.get_traditional_url())
