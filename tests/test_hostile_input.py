"""Hostile text in every field an editor or an imported file fills, shown everywhere it appears.

The payloads are the shared XSS corpus plus Bunko's own shapes (tests/hostile.py). A site is built
with a payload in every field (titles, summaries, bodies, tag names and descriptions, author names,
bios and links, related links, attribution); then the post pages, every list, the feeds, the admin
changelist and the editor's preview are read with a browser-like HTML parser. Each payload must come
out as text or not at all: no script element, event handler, script URL, foreign frame or injected
form. Many payloads share one page, so a few hundred requests cover the corpus; every place is
asserted to have shown at least 200 distinct payloads.
"""

import datetime
import itertools
import xml.etree.ElementTree as ET

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from blog.caching import changes_together
from blog.models import Post
from blog.portability.importer import import_paths
from blog.reading.feed_xml import xml_safe
from tests.factories import delete_all_content, make_author, make_post, make_tag, url_in
from tests.hostile import PAYLOADS, scan

pytestmark = pytest.mark.django_db

MIN_DISTINCT = 200


def safe_page(response, *, fragment=False):
    """Assert a 200 answer with nothing dangerous in it; return its visible text."""
    assert response.status_code == 200, (response.status_code, response.request["PATH_INFO"])
    found, text = scan(response.content.decode(), fragment=fragment)
    assert found == [], (response.request["PATH_INFO"], response.request.get("QUERY_STRING"), found)
    return text


def shown(payloads, text):
    """The payloads a reader sees verbatim in `text`: printed as text, not interpreted."""
    return {payload for payload in payloads if payload in text}


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        f"<script>{settings.BUNKO_THEME_SCRIPT}alert(1)</script>",
        '<script src="https://evil.example/x.js"></script>',
        '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}</script>',
        "<img src=x onerror=alert(1)>",
        "<a href=' jav&#9;ascript:alert(1)'>x</a>",
        '<a href="data:text/html,x">x</a>',
        '<img srcset="/media/a.png 1x, javascript:alert(1) 2x">',
        '<iframe src="https://evil.example/"></iframe>',
        '<a class="embed-video" data-embed-src="https://evil.example/">x</a>',
        '<form action="https://evil.example/"></form>',
        "<form><input name=password></form>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<object data="x"></object>',
        '<embed src="x">',
        '<base href="https://evil.example/">',
        '<math href="javascript:alert(1)"></math>',
        '<p style="background:url(https://tracker.example/p.gif)">x</p>',
    ],
)
def test_the_checker_flags_each_danger(snippet):
    """Guard against a checker that cannot fail."""
    found, _ = scan(f"<!DOCTYPE html><html><head></head><body>{snippet}</body></html>")
    assert found


def test_the_checker_passes_the_sites_own_markup_and_inert_iframe_text():
    page = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><script>{settings.BUNKO_THEME_SCRIPT}</script>'
        '<script src="/static/js/embeds.js" defer></script>'
        '<script type="application/ld+json">{"headline": "<\\/script>"}</script></head><body>'
        '<form class="site-search" role="search" action="/en/search/" method="get"></form>'
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>'
        "<iframe><script>alert(1)</script> is only text here</iframe>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p></body></html>"
    )
    assert scan(page) == ([], "<script>alert(1)</script>")
    assert scan('<form class="site-search"></form>', fragment=True)[0]


# ---- a site with a payload in every field


class PayloadSupply:
    """Hands out the corpus in order, round and round, skipping payloads too long for the field at hand."""

    def __init__(self, payloads):
        self._cycle = itertools.cycle(payloads)

    def take(self, max_length=None):
        for payload in self._cycle:
            if max_length is None or len(payload) <= max_length:
                return payload


def hostile_body(supply):
    """Payloads raw, as a link and image destination and inline, in one Markdown body."""
    raw = [supply.take() for _ in range(4)]
    return "\n\n".join(
        [*raw, f"[a link]({supply.take()})", f"![an image]({supply.take()})", f"Some *text* {supply.take()} inline."]
    )


POSTS, AUTHORS, TAGS = 210, 40, 60


def build_hostile_site():
    """POSTS published posts, a tenth with a Japanese translation, every text field holding a payload."""
    supply, title_supply = PayloadSupply(PAYLOADS), PayloadSupply(PAYLOADS[::-1])  # titles: distinct
    authors = [
        make_author(
            supply.take(200),
            bio=hostile_body(supply),
            website=supply.take(200),
            scholar_url=supply.take(200),
            github=supply.take(100),
            x_handle=supply.take(100),
        )
        for _ in range(AUTHORS)
    ]
    tags = [make_tag(supply.take(100), description=supply.take()) for _ in range(TAGS)]
    now = timezone.now()
    posts = []
    for number in range(POSTS):
        post = make_post(
            title=title_supply.take(300),
            summary=supply.take(),
            body=hostile_body(supply),
            original_title=supply.take(300),
            original_author=supply.take(200),
            original_url=supply.take(500),
            cover_alt=supply.take(300),
            publish_at=now - datetime.timedelta(hours=1 + number),
            authors=[authors[number % AUTHORS], authors[(number + 1) % AUTHORS]],
            tags=[tags[number % TAGS], tags[(number * 7 + 3) % TAGS]],
            related=posts[-2:],
            links=[{"title": supply.take(300), "url": supply.take(500), "summary": supply.take()}],
        )
        posts.append(post)
        if number % 10 == 0:
            posts.append(
                make_post(
                    title=title_supply.take(300),
                    body=hostile_body(supply),
                    language="ja",
                    translation_key=post.translation_key,
                    publish_at=post.publish_at,
                    authors=[authors[number % AUTHORS]],
                )
            )
    return {"posts": posts, "authors": authors, "tags": tags}


@pytest.fixture(scope="class")
def hostile_site(django_db_setup, django_db_blocker):
    """The hostile site, built once for the tests of TestEveryPlace (which only read it) and removed after them."""
    with django_db_blocker.unblock():
        with changes_together():
            site = build_hostile_site()
        try:
            yield site
        finally:
            delete_all_content()


def titles(site):
    return {post.title for post in site["posts"]}


def list_pages(client, path, query=None):
    """The visible text of every page of a paginated list, until the page number runs out (404)."""
    texts = []
    for number in itertools.count(1):
        response = client.get(path, {**(query or {}), "page": number})
        if response.status_code == 404 and number > 1:
            return "".join(texts)
        texts.append(safe_page(response))


ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"


def feed_parts(response):
    """(plain-text entry titles, HTML strings) of a feed, as a reader unescapes them from the XML.

    RSS readers read every description (channel and item) and content:encoded as HTML; Atom says
    which elements are HTML with type="html". Titles are plain text in both.
    """
    assert response.status_code == 200, response.request["PATH_INFO"]
    root = ET.fromstring(response.content)
    if root.tag == "rss":
        html = [element.text or "" for element in root.iter() if element.tag in ("description", CONTENT_ENCODED)]
        return [item.findtext("title") for item in root.iter("item")], html
    html = [element.text or "" for element in root.iter() if element.get("type") == "html"]
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")], html


@pytest.mark.usefixtures("hostile_site")
class TestEveryPlace:
    """Each place a payload is shown, read by a browser-like parser; the site is shared and never written."""

    def test_post_pages_show_every_field_as_text(self, hostile_site, client):
        seen = set()
        for post in hostile_site["posts"][::3]:  # each page carries about twenty payloads
            text = safe_page(client.get(post.get_absolute_url()))
            fields = [
                post.title,
                post.original_author,
                *(byline.author.name for byline in post.bylines.all()),
                *(tag.name for tag in post.tags.all()),
                *(value for link in post.related_links.all() for value in (link.title, link.summary)),
            ]
            visible = shown(fields, text)
            assert post.title in visible
            seen |= visible
        assert len(seen) >= MIN_DISTINCT

    def test_lists_show_titles_names_and_tags_as_text(self, hostile_site, client):
        site = hostile_site
        english_titles = {post.title for post in site["posts"] if post.language == "en"}
        names = {author.name for author in site["authors"]} | {tag.name for tag in site["tags"]}

        home = list_pages(client, url_in("en", "blog:post-list"))
        assert len(shown(english_titles, home)) >= MIN_DISTINCT
        assert shown(names, home) == names
        for language in ("ja", "zh-hans"):
            safe_page(client.get(url_in(language, "blog:post-list")))

        tag_pages = "".join(
            safe_page(client.get(url_in("en", "blog:tag-detail", slug=tag.slug))) for tag in site["tags"][::3]
        )
        descriptions = {tag.description for tag in site["tags"][::3]}
        assert shown(descriptions, tag_pages) == descriptions
        author_pages = "".join(
            safe_page(client.get(url_in("en", "blog:author-detail", slug=author.slug)))
            for author in site["authors"][::3]
        )
        assert len(shown(english_titles | names, tag_pages + author_pages)) >= MIN_DISTINCT

        months = {(post.publish_at.year, post.publish_at.month) for post in site["posts"]}
        archives = "".join(
            list_pages(client, url_in("en", "blog:archive-month", year=year, month=f"{month:02d}"))
            for year, month in sorted(months)
        )
        archives += list_pages(client, url_in("en", "blog:archive-year", year=max(months)[0]))
        assert len(shown(english_titles, archives)) >= MIN_DISTINCT

    def test_search_highlights_hostile_text_and_echoes_hostile_queries_as_text(self, hostile_site, client):
        english_titles = {post.title for post in hostile_site["posts"] if post.language == "en"}
        search = url_in("en", "blog:search")
        # Highlighted titles and passages are built from hostile text around the matched term.
        results = list_pages(client, search, {"q": "alert"})
        assert len(shown(english_titles, results)) >= MIN_DISTINCT
        for payload in PAYLOADS[::20]:
            text = safe_page(client.get(search, {"q": payload, "lang": payload[:20]}))
            assert payload.split()[0][:20] in text

    def test_feeds_carry_titles_as_text_and_only_safe_html(self, hostile_site, client, settings):
        settings.BUNKO_FEED_ITEMS = len(hostile_site["posts"])
        paths = [url_in("en", "blog:feed-rss"), url_in("en", "blog:feed-atom")]
        paths += [url_in("ja", "blog:language-feed-rss"), url_in("ja", "blog:language-feed-atom")]
        subjects = [("tag", tag) for tag in hostile_site["tags"][:3]]
        subjects += [("author", author) for author in hostile_site["authors"][:3]]
        for name, subject in subjects:
            paths += [url_in("en", f"blog:{name}-feed-{kind}", slug=subject.slug) for kind in ("rss", "atom")]

        seen_titles, seen_html = set(), set()
        for path in paths:
            entry_titles, html_parts = feed_parts(client.get(path))
            seen_titles.update(entry_titles)
            for html in html_parts:
                found, text = scan(html, fragment=True)
                assert found == [], (path, found)
                seen_html.add(text)
        # A reader shows exactly the title the editor typed (less any control character XML cannot carry).
        assert seen_titles <= {xml_safe(title) for title in titles(hostile_site)}
        assert len(seen_titles) >= MIN_DISTINCT
        assert len(seen_html) >= MIN_DISTINCT

    def test_admin_changelist_shows_titles_names_and_searches_as_text(self, hostile_site, client, editor_user):
        client.force_login(editor_user)
        changelist = reverse("admin:blog_post_changelist")
        text = "".join(safe_page(client.get(changelist, {"p": page})) for page in (1, 2, 3))  # counted from 1
        assert len(shown(titles(hostile_site), text)) >= MIN_DISTINCT
        # The filter sidebar lists every tag and author by name.
        names = {author.name for author in hostile_site["authors"]} | {tag.name for tag in hostile_site["tags"]}
        assert shown(names, text) == names
        for payload in PAYLOADS[::80]:
            safe_page(client.get(changelist, {"q": payload[:200]}))
        for tag in hostile_site["tags"][:2]:
            safe_page(client.get(changelist, {"tags__id__exact": tag.pk}))


# ---- the editor's preview; one payload per field


def test_editor_preview_of_every_payload_is_safe(client, editor_user):
    """markdownx puts the answer into the editor's page with innerHTML: it must hold no script or form."""
    client.force_login(editor_user)
    preview = reverse("markdownx_markdownify")
    assert len(PAYLOADS) >= MIN_DISTINCT
    for start in range(0, len(PAYLOADS), 25):
        chunk = PAYLOADS[start : start + 25]
        for content in ("\n\n".join(chunk), "\n\n".join(f"[x]({payload}) ![y]({payload})" for payload in chunk)):
            safe_page(client.post(preview, {"content": content}), fragment=True)


@pytest.mark.parametrize(
    "field",
    ["title", "summary", "body", "original_title", "original_author", "original_url", "cover_alt"],
)
def test_one_script_payload_per_post_field(client, field):
    payload = f'"><script>alert("{field}")</script><img src=x onerror=alert(1)>'
    post = make_post(**{field: payload, "original_title": "Original" if field != "original_title" else payload})

    text = safe_page(client.get(post.get_absolute_url()))

    if field in ("title", "original_title", "original_author"):
        assert payload in text


def test_control_characters_in_a_title_still_give_readable_feeds(client):
    post = make_post(title="Form\x0cfeed and\x0bvertical tab", summary="Bell\x07", body="Escape\x1b[31m red")

    for name in ("feed-rss", "feed-atom"):
        entry_titles, html_parts = feed_parts(client.get(url_in("en", f"blog:{name}")))
        assert entry_titles == ["Formfeed andvertical tab"]
        assert all(scan(html, fragment=True)[0] == [] for html in html_parts)
    assert client.get(post.get_absolute_url()).status_code == 200


def test_one_script_payload_in_a_related_link_and_an_author(client):
    payload = "javascript:alert(1)//<script>alert(2)</script>"
    author = make_author(payload, bio=payload, website=payload, github=payload, x_handle=payload)
    post = make_post(authors=[author], links=[{"title": payload, "url": payload, "summary": payload}])

    text = safe_page(client.get(post.get_absolute_url()))
    assert text.count(payload) >= 3  # byline, link title, link summary
    author_text = safe_page(client.get(author.get_absolute_url()))
    assert payload in author_text


# ---- imported files


def front_matter_file(path, metadata, body):
    path.write_text(f"---\n{yaml.safe_dump(metadata, allow_unicode=True)}---\n\n{body}\n", encoding="utf-8")


def test_imported_front_matter_payloads_render_as_text(tmp_path, client):
    supply = PayloadSupply(PAYLOADS[7:])
    folder = tmp_path / "site"
    folder.mkdir()
    expected = {}
    for number in range(20):
        metadata = {
            "title": supply.take(300),
            "summary": supply.take(),
            "tags": [supply.take(100), supply.take(100)],
            "author": supply.take(200),
            "original": {"title": supply.take(300), "author": supply.take(200), "url": "https://example.com/a"},
            "related_links": [{"title": supply.take(300), "url": "https://example.com/b", "summary": supply.take()}],
            "slug": f"imported-{number}",
            "lang": "en",
            "date": "2024-03-01 09:30:00 +0900",
            "layout": supply.take(),
        }
        front_matter_file(folder / f"post-{number}.md", metadata, hostile_body(supply))
        expected[metadata["slug"]] = [metadata["title"], metadata["author"], *metadata["tags"]]

    report = import_paths(paths=[folder])

    assert (report.created, report.failed) == (20, 0), report.failures()
    seen = set()
    for slug, fields in expected.items():
        text = safe_page(client.get(url_in("en", "blog:post-detail", slug=slug)))
        assert fields[0] in text
        seen |= shown(fields, text)
    assert len(seen) >= 60


def test_imported_script_url_is_refused_with_a_reason_and_nothing_saved(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    front_matter_file(
        folder / "bad.md",
        {"title": "Hostile link", "related_links": [{"title": "x", "url": "javascript:alert(1)"}]},
        "Body.",
    )
    front_matter_file(folder / "bad-original.md", {"title": "Hostile original", "original": "javascript:alert(1)"}, "")

    report = import_paths(paths=[folder])

    assert report.failed == 2
    assert all("not a valid http(s) URL" in failure.detail for failure in report.failures())
    assert not Post.objects.exists()
