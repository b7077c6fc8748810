"""Traditional Chinese pages: every published Simplified Chinese essay at /zh-hant/, converted with OpenCC on save."""

import io
import re
from urllib.parse import quote

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from blog.caching import essay_key
from blog.models import Post
from tests.factories import make_post, make_tag, make_translation, url_in

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
# Characters a character-by-character converter gets wrong: one Simplified character, several Traditional ones.
ONE_TO_MANY = {"头发": "頭髮", "面条": "麵條", "历史": "歷史", "日历": "日曆", "发现": "發現", "里面": "裡面"}
BODY = """\
## 历史

我剪了头发，吃了一碗面条。翻开日历，发现里面夹着一张旧照片。

`头发 = 1`
"""


def traditional_url(post):
    return reverse("traditional:post-detail", kwargs={"slug": post.slug})


def alternates(response):
    """{hreflang: href} of a page's <link rel="alternate">s."""
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', response.content.decode()))


@pytest.fixture
def essay():
    return make_post(language="zh-hans", title="历史与日历", slug="lishi", body=BODY, tags=[make_tag("头发")])


def test_the_traditional_page_converts_phrase_by_phrase(client, essay):
    response = client.get(traditional_url(essay))
    assert response.status_code == 200
    html = response.content.decode()
    body = html[html.index('<div class="post-body">') : html.index("<code>")]
    text = re.sub(r"<[^>]+>", "", body)
    for simplified, converted in ONE_TO_MANY.items():
        assert converted in text, converted
        assert simplified not in text, simplified
    assertContains(response, "<title>歷史與日曆 | ")
    # Code stays as written, as does the heading's id (what the table of contents links to).
    assertContains(response, "<code>头发 = 1</code>")
    assertContains(response, '<h2 id="历史">歷史</h2>', html=True)


def test_the_traditional_page_is_marked_zh_hant_and_links_its_original(client, essay):
    response = client.get(traditional_url(essay))
    assertContains(response, '<html lang="zh-Hant">')
    assert response.headers["Content-Language"] == "zh-Hant"
    assertContains(
        response,
        f'<a href="{essay.get_absolute_url()}" hreflang="zh-Hans" lang="zh-Hans">轉換自簡體中文版</a>',
        html=True,
    )


def test_the_interface_speaks_traditional_chinese_and_links_the_simplified_site(client, essay):
    response = client.get(traditional_url(essay))
    assertContains(response, "閱讀約需 1 分鐘")  # the zh_Hans catalogue's 阅读约需 1 分钟, converted
    assertContains(response, '<input type="hidden" name="first_language" value="zh-hans">', html=True)
    assertContains(response, 'href="/zh-hant/feeds/posts.atom"')
    tag = essay.tags.get()
    # Lists, tags and authors are the Simplified site's: /zh-hant/ serves essays only.
    assertContains(response, f'href="/zh-hans/tags/{quote(tag.slug)}/"')
    assertNotContains(response, 'href="/zh-hant/tags/')


def test_the_simplified_page_links_the_traditional_one(client, essay):
    response = client.get(essay.get_absolute_url())
    link = f'<a href="{traditional_url(essay)}" hreflang="zh-Hant" lang="zh-Hant">繁體中文</a>'
    assertContains(response, link, html=True)


def test_hreflang_alternates_are_reciprocal_across_four_languages(client):
    original = make_post(language="ja", title="研究室を出た日")
    versions = [
        original,
        make_translation(original, language="en", title="The day I left the lab"),
        make_translation(original, language="zh-hans", title="离开研究室的那一天"),
    ]
    expected = {version.language: BASE + version.get_absolute_url() for version in versions}
    expected["zh-Hant"] = BASE + traditional_url(versions[2])
    expected["x-default"] = BASE + original.get_absolute_url()
    for code, address in expected.items():
        if code != "x-default":
            assert alternates(client.get(address.removeprefix(BASE))) == expected, code


def test_only_published_simplified_essays_are_converted(client, essay):
    assert client.get(reverse("traditional:post-detail", kwargs={"slug": "no-such-essay"})).status_code == 404
    english = make_post(language="en", slug="english")
    assert client.get(traditional_url(english)).status_code == 404
    assert english.traditional_body_html == ""
    draft = make_post(language="zh-hans", slug="draft", status=Post.Status.DRAFT)
    assert client.get(traditional_url(draft)).status_code == 404


def test_an_edit_reaches_the_cached_traditional_page(client, essay):
    assertContains(client.get(traditional_url(essay)), "日曆")
    assertContains(client.get(traditional_url(essay)), "日曆")  # from the page cache
    essay.body = "这里面没有头发。"
    essay.save()
    response = client.get(traditional_url(essay))
    assertContains(response, "這裡面沒有頭髮")
    assertNotContains(response, "日曆</p>")


def test_the_traditional_page_is_labelled_for_edge_purges_of_its_essay(client, essay):
    keys = client.get(traditional_url(essay)).headers["Surrogate-Key"].split()
    assert essay_key(essay.translation_key) in keys


def test_a_bulk_rename_converts_the_title_too(client, essay):
    Post.objects.filter(pk=essay.pk).update(title="发现头发")
    assertContains(client.get(traditional_url(essay)), "<title>發現頭髮 | ")


def test_the_checked_in_catalogue_is_the_simplified_one_converted(tmp_path, settings):
    settings.LOCALE_PATHS = [tmp_path]
    source = settings.BASE_DIR / "blog" / "locale"
    (tmp_path / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po").write_bytes(
        (source / "zh_Hans" / "LC_MESSAGES" / "django.po").read_bytes()
    )
    call_command("traditional_catalogue", stdout=io.StringIO())
    generated = (tmp_path / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    assert generated == (source / "zh_Hant" / "LC_MESSAGES" / "django.po").read_text("utf-8")


def test_the_traditional_feed_carries_the_converted_essays(client, essay):
    make_post(language="en", title="An English essay")
    for kind in ("rss", "atom"):
        parsed = feedparser.parse(client.get(reverse(f"traditional:feed-{kind}")).content)
        assert [entry.title for entry in parsed.entries] == ["歷史與日曆"]
        entry = parsed.entries[0]
        assert entry.link == BASE + traditional_url(essay)
        assert entry.title_detail.language == "zh-Hant"
        assert "頭髮" in entry.content[0].value
        alternates = {link.hreflang: link.href for link in entry.links if link.get("hreflang")}
        assert alternates == {"zh-hans": BASE + essay.get_absolute_url(), "zh-Hant": BASE + traditional_url(essay)}


def test_the_simplified_feed_names_the_traditional_page_as_an_alternate(client, essay):
    parsed = feedparser.parse(client.get(url_in("zh-hans", "blog:language-feed-atom")).content)
    alternates = {link.hreflang: link.href for link in parsed.entries[0].links if link.get("hreflang")}
    assert alternates["zh-Hant"] == BASE + traditional_url(essay)


def test_the_sitemap_lists_the_traditional_pages_with_reciprocal_alternates(client, essay):
    english = make_translation(essay, language="en", title="History and calendars")
    index = client.get("/sitemap.xml").content.decode()
    assert f"{BASE}/sitemap-traditional.xml" in index
    section = client.get("/sitemap-traditional.xml").content.decode()
    assert re.findall(r"<loc>([^<]+)</loc>", section) == [BASE + traditional_url(essay)]
    expected = {
        ("zh-hans", BASE + essay.get_absolute_url()),
        ("zh-Hant", BASE + traditional_url(essay)),
        ("en", BASE + english.get_absolute_url()),
    }
    assert set(re.findall(r'hreflang="([^"]+)" href="([^"]+)"', section)) == expected
    posts = client.get("/sitemap-posts.xml").content.decode()
    assert ("zh-Hant", BASE + traditional_url(essay)) in re.findall(r'hreflang="([^"]+)" href="([^"]+)"', posts)
