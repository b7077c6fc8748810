"""Feeds as a feed reader sees them: every one parsed by feedparser, never grepped."""

import calendar
import datetime
import io
from html.parser import HTMLParser

import feedparser
import pytest
from django.utils import timezone
from django.utils.xmlutils import UnserializableContentError

from blog.models import Post
from blog.reading.feed_xml import BunkoAtomFeed, BunkoRssFeed
from tests.factories import make_author, make_post, make_tag, url_in

ORIGIN = "http://testserver"
LANGUAGES = ["ja", "zh-hans", "en"]
BODY = """Why I left, with a [reading list](/en/tags/career/) and a photo:

![The lab at night](/media/uploads/lab.png)

<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe>

<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Best decision I made.</p>&mdash; Aiko (@aiko) \
<a href="https://twitter.com/aiko/status/1234567890">May 1, 2024</a></blockquote> \
<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>
"""


def feed_path(name, language="en", **kwargs):
    return url_in(language, f"blog:{name}", **kwargs)


def fetch(client, path, **extra):
    """GET a feed and parse it as a reader would; a feed with any parse error fails here."""
    response = client.get(path, **extra)
    assert response.status_code == 200, path
    kind = "atom" if path.endswith(".atom") else "rss"
    assert response["Content-Type"] == f"application/{kind}+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if kind == "atom" else "rss20")
    return parsed


def absolute(post):
    return ORIGIN + post.get_absolute_url()


def by_link(parsed):
    return {entry.link: entry for entry in parsed.entries}


def seconds(struct):
    return calendar.timegm(struct)


@pytest.fixture
def library(db):
    """Essays in three languages, one translated, plus a draft, a scheduled post and a draft translation."""
    aiko, ben = make_author("Aiko"), make_author("Ben")
    career, lab = make_tag("career"), make_tag("lab life")
    now = timezone.now()
    original = make_post(
        title="Leaving the lab",
        summary="Why a researcher became an engineer.",
        body=BODY,
        authors=[aiko, ben],
        tags=[career, lab],
        publish_at=now - datetime.timedelta(days=3),
    )
    translated = make_post(
        title="研究室を出る",
        language="ja",
        translation_key=original.translation_key,
        authors=[aiko],
        tags=[career],
        publish_at=now - datetime.timedelta(days=2),
    )
    solo = make_post(title="Ships & <harbours>", authors=[ben], tags=[lab], publish_at=now - datetime.timedelta(days=1))
    chinese = make_post(
        title="读论文", language="zh-hans", authors=[aiko], publish_at=now - datetime.timedelta(hours=5)
    )
    hidden = [
        make_post(title="Unfinished draft", status=Post.Status.DRAFT, authors=[aiko], tags=[career]),
        make_post(title="Next week", publish_at=now + datetime.timedelta(days=7), authors=[aiko], tags=[career]),
        make_post(
            title="离开实验室", language="zh-hans", translation_key=original.translation_key, status=Post.Status.DRAFT
        ),
    ]
    return {
        "original": original,
        "translated": translated,
        "solo": solo,
        "chinese": chinese,
        "hidden": hidden,
        "aiko": aiko,
        "ben": ben,
        "career": career,
        "lab": lab,
    }


def every_feed(library):
    """(path) of every feed in every language prefix and both formats."""
    paths = []
    for language in LANGUAGES:
        for kind in ("rss", "atom"):
            paths += [
                feed_path(f"feed-{kind}", language),
                feed_path(f"language-feed-{kind}", language),
                feed_path(f"tag-feed-{kind}", language, slug=library["career"].slug),
                feed_path(f"tag-feed-{kind}", language, slug=library["lab"].slug),
                feed_path(f"author-feed-{kind}", language, slug=library["aiko"].slug),
                feed_path(f"author-feed-{kind}", language, slug=library["ben"].slug),
            ]
    return paths


def test_every_feed_parses_with_absolute_urls_and_no_hidden_post(client, library):
    hidden_titles = {post.title for post in library["hidden"]}
    for path in every_feed(library):
        parsed = fetch(client, path)
        assert parsed.feed.link.startswith(ORIGIN + "/")
        for entry in parsed.entries:
            assert entry.title not in hidden_titles, path
            assert entry.link.startswith(ORIGIN + "/"), path
            assert all(link.href.startswith(ORIGIN + "/") for link in entry.links)
            assert all(author.href.startswith(ORIGIN + "/") for author in entry.authors if "href" in author)
            assert "example.com" not in entry.content[0].value


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_an_entry_carries_the_whole_post(client, library, kind):
    original = library["original"]
    entry = by_link(fetch(client, feed_path(f"feed-{kind}")))[absolute(original)]
    assert entry.title == "Leaving the lab"
    assert entry.summary == "Why a researcher became an engineer."
    content = entry.content[0].value
    assert f'href="{ORIGIN}/en/tags/career/"' in content
    assert f'src="{ORIGIN}/media/uploads/lab.png"' in content
    # Embeds reach the reader as a plain link and a quotation: feed readers run no scripts and drop iframes.
    assert "<iframe" not in content and "<script" not in content
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in content
    assert "<blockquote>" in content and "Best decision I made." in content
    assert 'href="https://twitter.com/aiko/status/1234567890"' in content
    assert [author.name for author in entry.authors] == ["Aiko", "Ben"]
    assert sorted(tag.term for tag in entry.tags) == ["career", "lab life"]
    assert seconds(entry.published_parsed) == int(original.publish_at.timestamp())
    assert seconds(entry.updated_parsed) == int(original.updated_at.timestamp())
    assert entry.title_detail.language == "en"
    assert entry.id == f"urn:uuid:{entry.id.removeprefix('urn:uuid:')}" and not entry.guidislink


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_an_edit_reaches_the_feed_on_the_next_request(client, db, kind):
    post = make_post(title="Drafting", body="First *thoughts* on [the lab](/en/tags/lab/).")
    entry = fetch(client, feed_path(f"feed-{kind}")).entries[0]
    # Without a summary, readers get the start of the text.
    assert entry.summary == "First thoughts on the lab."
    assert f'href="{ORIGIN}/en/tags/lab/"' in entry.content[0].value

    post.summary = "What the lab taught me."
    post.body = "Second *thoughts*, with ![a photo](/media/lab.png)."
    post.save()
    entry = fetch(client, feed_path(f"feed-{kind}")).entries[0]
    assert entry.summary == "What the lab taught me."
    assert "Second <em>thoughts</em>" in entry.content[0].value
    assert f'src="{ORIGIN}/media/lab.png"' in entry.content[0].value


def test_titles_reach_the_reader_as_written(client, library):
    for kind in ("rss", "atom"):
        titles = [entry.title for entry in fetch(client, feed_path(f"feed-{kind}")).entries]
        assert "Ships & <harbours>" in titles


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_entries_link_their_other_language_versions(client, library, kind):
    original, translated = library["original"], library["translated"]
    entries = by_link(fetch(client, feed_path(f"language-feed-{kind}", "ja")))
    entry = entries[absolute(translated)]
    alternates = {link.hreflang: link.href for link in entry.links if link.get("hreflang")}
    # The draft Chinese translation is not offered.
    assert alternates == {"en": absolute(original), "ja": absolute(translated)}
    assert entry.link == absolute(translated)


def test_a_language_feed_lists_only_posts_in_that_language(client, library):
    expected = {
        "en": {absolute(library["original"]), absolute(library["solo"])},
        "ja": {absolute(library["translated"])},
        "zh-hans": {absolute(library["chinese"])},
    }
    for language, links in expected.items():
        for kind in ("rss", "atom"):
            parsed = fetch(client, feed_path(f"language-feed-{kind}", language))
            assert set(by_link(parsed)) == links
            assert parsed.feed.language == language
            assert {entry.title_detail.language for entry in parsed.entries} == {language}


def test_rss_entries_say_their_language(client, library):
    entries = by_link(fetch(client, feed_path("feed-rss", "ja")))
    assert entries[absolute(library["translated"])].language == "ja"
    assert entries[absolute(library["chinese"])].language == "zh-hans"


def test_the_site_feed_has_each_essay_once_in_the_readers_language(client, library):
    japanese = set(by_link(fetch(client, feed_path("feed-atom", "ja"))))
    assert japanese == {
        absolute(library["translated"]),
        absolute(library["solo"]),
        absolute(library["chinese"]),
    }
    english = set(by_link(fetch(client, feed_path("feed-atom", "en"))))
    assert absolute(library["original"]) in english and absolute(library["translated"]) not in english


def test_tag_and_author_feeds_list_their_essays(client, library):
    lab = by_link(fetch(client, feed_path("tag-feed-rss", slug=library["lab"].slug)))
    assert set(lab) == {absolute(library["original"]), absolute(library["solo"])}
    aiko = fetch(client, feed_path("author-feed-atom", "zh-hans", slug=library["aiko"].slug))
    assert set(by_link(aiko)) == {absolute(library["original"]), absolute(library["chinese"])}
    assert "Aiko" in aiko.feed.title


def test_entries_are_newest_first_and_limited(client, library, settings):
    settings.BUNKO_FEED_ITEMS = 2
    parsed = fetch(client, feed_path("feed-rss"))
    assert [entry.link for entry in parsed.entries] == [absolute(library["chinese"]), absolute(library["solo"])]


def test_the_entry_id_survives_a_slug_change(client, library):
    original = library["original"]
    before = by_link(fetch(client, feed_path("feed-atom")))[absolute(original)].id
    original.slug = "leaving-academia"
    original.save()
    after = by_link(fetch(client, feed_path("feed-atom")))[absolute(original)]
    assert after.id == before
    assert after.link.endswith("/en/posts/leaving-academia/")
    translated_id = by_link(fetch(client, feed_path("feed-atom", "ja")))[absolute(library["translated"])].id
    assert translated_id != before


def test_urls_follow_the_requests_scheme_and_host(client, library):
    parsed = fetch(client, feed_path("feed-atom"), secure=True)
    assert parsed.feed.link == "https://testserver/en/"
    assert all(entry.link.startswith("https://testserver/") for entry in parsed.entries)
    assert any("https://testserver/media/uploads/lab.png" in entry.content[0].value for entry in parsed.entries)


def test_unknown_tag_or_author_feed_is_404(client, library):
    assert client.get(feed_path("tag-feed-rss", slug="nothing")).status_code == 404
    assert client.get(feed_path("author-feed-atom", slug="nobody")).status_code == 404


class FeedLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.discovered, self.visible = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("type", "").endswith("+xml"):
            self.discovered.append(attrs["href"])
        elif tag == "a" and attrs.get("type", "").endswith("+xml"):
            self.visible.append(attrs["href"])


def feed_links(client, path):
    page = client.get(path)
    assert page.status_code == 200
    parser = FeedLinks()
    parser.feed(page.content.decode())
    return parser


@pytest.mark.parametrize("page", ["home", "tag", "author", "post"])
def test_pages_advertise_feeds_that_parse(client, library, page):
    paths = {
        "home": url_in("en", "blog:post-list"),
        "tag": library["career"].get_absolute_url(),
        "author": library["aiko"].get_absolute_url(),
        "post": library["original"].get_absolute_url(),
    }
    links = feed_links(client, paths[page])
    expected = {feed_path(f"{feed}-{kind}") for feed in ("feed", "language-feed") for kind in ("rss", "atom")}
    if page == "tag":
        expected |= {feed_path(f"tag-feed-{kind}", slug=library["career"].slug) for kind in ("rss", "atom")}
    if page == "author":
        expected |= {feed_path(f"author-feed-{kind}", slug=library["aiko"].slug) for kind in ("rss", "atom")}
    assert set(links.discovered) == expected
    for path in links.discovered:
        fetch(client, path)
    if page != "post":
        assert links.visible and set(links.visible) <= expected


@pytest.mark.parametrize("essays", [3, 9])
def test_a_feed_costs_the_same_queries_however_many_entries(
    client, db, django_assert_max_num_queries, essays, settings
):
    """Guards the N+1s of per-entry authors, tags and translation links (building the feed: the page cache is off)."""
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    for n in range(essays):
        original = make_post(title=f"Essay {n}", authors=[make_author(), make_author()], tags=[make_tag(), make_tag()])
        make_post(title=f"エッセイ {n}", language="ja", translation_key=original.translation_key)
    for path in (feed_path("feed-atom"), feed_path("feed-rss", "ja"), feed_path("language-feed-atom")):
        with django_assert_max_num_queries(6):
            assert len(fetch(client, path).entries) == essays


@pytest.mark.parametrize("name", ["feed-rss", "feed-atom"])
def test_a_feed_is_sent_as_one_body_not_a_piece_per_element(client, library, name, settings):
    """The issue asks for one response body: a chunk per XML element costs a socket write each."""
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    response = client.get(feed_path(name))
    assert response.status_code == 200
    assert len(list(response)) == 1


@pytest.mark.parametrize("feed_class", [BunkoRssFeed, BunkoAtomFeed])
def test_feeds_are_written_exactly_as_djangos_xml_generator_writes_them(feed_class):
    """FeedWriter is a faster SimplerXMLGenerator: the same bytes for text and attributes that need escaping."""
    feed = feed_class(
        title="Essays & <notes>",
        link="https://example.org/en/",
        description="Say \"hello\" & 'bye'",
        feed_url="https://example.org/en/feeds/all.rss?a=1&b=2",
        language="en",
    )
    when = timezone.now()
    for n, content in enumerate(["<p>A &amp; B</p>", ""]):
        feed.add_item(
            title=f"Essay {n} <b>",
            link=f"https://example.org/en/posts/{n}/",
            description="Plain & simple",
            unique_id=f"urn:uuid:{n}",
            pubdate=when,
            updateddate=when,
            categories=["career", "R&D"],
            language="en",
            authors=[("Aiko", "https://example.org/en/authors/aiko/"), ('Bo "B"', "https://example.org/b/")],
            content=content,
            versions=[
                ("ja", "https://example.org/ja/posts/%E5%8D%9A/?x=1&y='2'"),
                ("zh-hans", "https://example.org/zh-hans/?q=\"a\"&b='c'\tx"),
                ("en", 'https://example.org/en/?q="quoted"'),
            ],
        )
    reference = io.StringIO()
    super(feed_class, feed).write(reference, "utf-8")  # the generator's own write(), with SimplerXMLGenerator
    assert feed.writeString("utf-8") == reference.getvalue()


def test_a_control_character_is_refused_as_djangos_generator_refuses_it():
    feed = BunkoRssFeed(title="Bell \x07", link="https://example.org/", description="")
    with pytest.raises(UnserializableContentError):
        feed.writeString("utf-8")
