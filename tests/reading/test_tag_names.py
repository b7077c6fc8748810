"""Issue 25: a tag has a name (and description) per language; readers see their language's, else the tag's own."""

import io

import feedparser
import pytest

from blog.models import TagName
from tests.factories import make_post, make_tag, url_in
from tests.reading.machine_readable import json_ld

pytestmark = pytest.mark.django_db


@pytest.fixture
def career():
    """A Japanese tag named in English; Chinese readers get its own (Japanese) name."""
    tag = make_tag("キャリア", slug="career", description="キャリアの分かれ道。")
    TagName.objects.create(tag=tag, language="en", name="Career", description="The fork in the road.")
    return tag


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("en", "Career", "キャリア"), ("ja", "キャリア", "Career"), ("zh-hans", "キャリア", "Career")],
)
def test_post_pages_and_cards_show_the_tags_name_in_the_readers_language(client, career, language, shown, hidden):
    post = make_post(language=language, slug="essay", tags=[career])
    tag_link = f'<a href="{url_in(language, "blog:tag-detail", slug="career")}" rel="tag">'
    essay = page(client, post.get_absolute_url())
    assert f"{tag_link}{shown}</a>" in essay and f"{tag_link}{hidden}</a>" not in essay
    assert json_ld(client.get(post.get_absolute_url()))["keywords"] == [shown]
    home = page(client, url_in(language, "blog:post-list"))
    assert f"{tag_link}{shown}</a>" in home and f"{tag_link}{hidden}</a>" not in home


@pytest.mark.parametrize(
    ("language", "name", "description"),
    [
        ("en", "Career", "The fork in the road."),
        ("ja", "キャリア", "キャリアの分かれ道。"),
        ("zh-hans", "キャリア", "キャリアの分かれ道。"),
    ],
)
def test_tag_pages_and_feeds_name_the_tag_in_the_readers_language(client, career, language, name, description):
    make_post(language=language, tags=[career])
    tag_page = page(client, url_in(language, "blog:tag-detail", slug="career"))
    assert f'<p class="lead">{description}</p>' in tag_page
    for other in ("ja", "zh-hans", "en"):  # the tag's page in each language, which names it in that language
        address = f"http://testserver{url_in(other, 'blog:tag-detail', slug='career')}"
        assert f'<link rel="alternate" hreflang="{other}" href="{address}">' in tag_page
    heading = tag_page.split("<h1>")[1].split("</h1>")[0]
    assert name in heading and (name == "キャリア" or "キャリア" not in heading)

    feed = feedparser.parse(io.BytesIO(client.get(url_in(language, "blog:tag-feed-atom", slug="career")).content))
    assert name in feed.feed.title
    assert [term["term"] for term in feed.entries[0].tags] == [name]


def test_a_tags_name_edited_in_one_language_reaches_the_cached_pages_showing_it(client, settings, career):
    settings.BUNKO_PAGE_CACHE_SECONDS = 300
    post = make_post(language="en", slug="essay", tags=[career])
    assert ">Career</a>" in page(client, post.get_absolute_url())
    assert ">Career</a>" in page(client, url_in("en", "blog:post-list"))

    english = TagName.objects.get(tag=career, language="en")
    english.name = "Careers"
    english.save()
    assert ">Careers</a>" in page(client, post.get_absolute_url())
    assert ">Careers</a>" in page(client, url_in("en", "blog:post-list"))

    TagName.objects.create(tag=career, language="zh-hans", name="职业")
    chinese = make_post(language="zh-hans", slug="zh-essay", tags=[career])
    assert ">职业</a>" in page(client, chinese.get_absolute_url())
