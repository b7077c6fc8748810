"""Languages and URLs: prefixes, the root redirect, one essay per list, the switcher and hreflang."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from tests.factories import make_author, make_post, make_tag, url_in

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "blog" / "locale"


def titles_on(response):
    """Titles of the post cards on a list page, in order."""
    titles = re.findall(r'class="post-card-title"[^>]*><a href="[^"]*">(.*?)</a>', response.content.decode())
    return [title.replace("<wbr>", "") for title in titles]  # phrase breaks (blog.rendering.phrases) are no text


# URLs and the root redirect -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("blog:post-list", {}),
        ("blog:post-detail", {"slug": "s"}),
        ("blog:tag-detail", {"slug": "t"}),
        ("blog:author-detail", {"slug": "a"}),
        ("blog:archive-year", {"year": 2024}),
        ("blog:archive-month", {"year": 2024, "month": 5}),
        ("blog:search", {}),
    ],
)
def test_every_public_url_carries_its_language_prefix(name, kwargs):
    for code, prefix in [("ja", "/ja/"), ("zh-hans", "/zh-hans/"), ("en", "/en/")]:
        assert url_in(code, name, **kwargs).startswith(prefix)


def test_unprefixed_paths_redirect_to_a_prefixed_one(client):
    make_post(slug="hello")
    response = client.get("/posts/hello/", headers={"accept-language": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/en/posts/hello/"


@pytest.mark.parametrize(
    ("accept_language", "cookie", "expected"),
    [
        ("ja,en;q=0.8", None, "/ja/"),
        ("zh-CN,zh;q=0.9", None, "/zh-hans/"),
        ("fr-FR,en;q=0.5", None, "/en/"),
        ("ja", "zh-hans", "/ja/"),
        ("fr", "zh-hans", "/zh-hans/"),
        ("", "ja", "/ja/"),
        ("", "xx", "/en/"),
        ("", None, "/en/"),
    ],
)
def test_root_redirects_by_accept_language_then_remembered_choice_then_default(
    client, accept_language, cookie, expected
):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/", headers={"accept-language": accept_language})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


def test_the_set_language_endpoint_remembers_a_choice_for_the_root(client):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/en/"})
    assert client.get("/")["Location"] == "/zh-hans/"


# One essay once per list --------------------------------------------------------------------------


@pytest.fixture
def essays():
    """A ja original with an en translation, a zh-only essay, and an en essay with a ja draft."""
    ja = make_post(language="ja", title="転職した話", publish_at=timezone.now() - timezone.timedelta(days=3))
    en = make_post(
        language="en",
        title="How I changed jobs",
        translation_key=ja.translation_key,
        publish_at=timezone.now() - timezone.timedelta(days=3, hours=-1),
    )
    zh = make_post(language="zh-hans", title="读博士的日子", publish_at=timezone.now() - timezone.timedelta(days=2))
    only_en = make_post(language="en", title="Lab notes", publish_at=timezone.now() - timezone.timedelta(days=1))
    make_post(language="ja", title="ラボノート", translation_key=only_en.translation_key, status=Post.Status.DRAFT)
    return {"ja": ja, "en": en, "zh": zh, "only_en": only_en}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Lab notes", "读博士的日子", "How I changed jobs"]),
        ("ja", ["Lab notes", "读博士的日子", "転職した話"]),
        ("zh-hans", ["Lab notes", "读博士的日子", "転職した話"]),
    ],
)
def test_one_essay_appears_once_in_the_readers_language_or_its_original(client, essays, language, expected):
    assert titles_on(client.get(url_in(language, "blog:post-list"))) == expected


def test_a_post_in_another_language_carries_a_badge_and_its_lang(client, essays):
    response = client.get(url_in("en", "blog:post-list"))
    assertContains(response, '<span class="language-badge">In Simplified Chinese</span>', html=True)
    assertContains(response, '<h2 class="post-card-title" lang="zh-hans">', count=1)
    assertContains(response, 'class="language-badge"', count=1)


def test_without_a_readers_version_the_earliest_created_version_is_shown(client):
    original = make_post(language="zh-hans", title="原文", publish_at=timezone.now() - timezone.timedelta(days=5))
    make_post(language="ja", title="翻訳", translation_key=original.translation_key)
    assert titles_on(client.get(url_in("en", "blog:post-list"))) == ["原文"]


def test_tag_and_author_pages_fall_back_within_what_they_list(client):
    tag, author = make_tag("career"), make_author("Mei")
    ja = make_post(language="ja", title="転職した話", tags=[tag], authors=[author])
    make_post(
        language="en",
        title="How I changed jobs",
        translation_key=ja.translation_key,
        authors=[make_author("Translator")],
    )
    assert titles_on(client.get(url_in("en", "blog:tag-detail", slug=tag.slug))) == ["転職した話"]
    assert titles_on(client.get(url_in("en", "blog:author-detail", slug=author.slug))) == ["転職した話"]


def test_a_reader_can_narrow_a_list_to_one_written_language(client, essays):
    response = client.get(url_in("en", "blog:post-list") + "?lang=ja")
    assert titles_on(response) == ["転職した話"]
    assertContains(response, "Essays written in Japanese")
    assertContains(response, '<a href="?lang=ja" aria-current="page">Written in Japanese</a>', html=True)


@pytest.mark.parametrize("value", ["xx", "", "<script>", "ja" * 100])
def test_an_unknown_language_filter_is_ignored(client, essays, value):
    response = client.get(url_in("en", "blog:post-list"), {"lang": value})
    assert response.status_code == 200
    assert len(titles_on(response)) == 3


# The switcher, hreflang and <html lang> -----------------------------------------------------------


def test_switcher_on_a_post_links_to_each_existing_version_and_names_the_missing_ones(client, essays):
    response = client.get(essays["en"].get_absolute_url())
    assertContains(
        response, f'<a href="{essays["ja"].get_absolute_url()}" hreflang="ja" lang="ja">日本語</a>', html=True
    )
    assertContains(
        response,
        f'<a href="{essays["en"].get_absolute_url()}" hreflang="en" lang="en" aria-current="page">English</a>',
        html=True,
    )
    assertContains(response, '<span class="language-missing" title="Not available in Simplified Chinese">', count=1)
    assertNotContains(response, 'hreflang="zh-hans" lang="zh-hans"')


def test_switcher_never_links_to_a_draft_translation(client, essays):
    response = client.get(essays["only_en"].get_absolute_url())
    assertContains(response, '<span class="language-missing" title="Not available in Japanese">', count=1)
    assertNotContains(response, "ラボノート")


def test_switcher_in_japanese_speaks_japanese(client, essays):
    response = client.get(essays["ja"].get_absolute_url())
    assertContains(response, '<span class="language-missing" title="簡体字中国語版はありません">', count=1)


def test_hreflang_alternates_for_each_published_version_plus_x_default(client, essays):
    response = client.get(essays["en"].get_absolute_url())
    base = "http://testserver"
    assertContains(
        response, f'<link rel="alternate" hreflang="ja" href="{base}{essays["ja"].get_absolute_url()}">', html=True
    )
    assertContains(
        response, f'<link rel="alternate" hreflang="en" href="{base}{essays["en"].get_absolute_url()}">', html=True
    )
    assertContains(
        response,
        f'<link rel="alternate" hreflang="x-default" href="{base}{essays["ja"].get_absolute_url()}">',
        html=True,
    )
    assertNotContains(response, 'hreflang="zh-hans" href=')


def test_html_lang_is_the_posts_language(client, essays):
    assertContains(client.get(essays["zh"].get_absolute_url()), '<html lang="zh-hans">')
    assertContains(client.get(essays["ja"].get_absolute_url()), '<html lang="ja">')


def test_switcher_elsewhere_links_to_the_same_page_in_each_language(client):
    tag = make_tag("研究")
    make_post(tags=[tag])
    response = client.get(url_in("en", "blog:tag-detail", slug=tag.slug) + "?page=1")
    assertContains(
        response,
        f'<a href="{url_in("ja", "blog:tag-detail", slug=tag.slug)}?page=1" hreflang="ja" lang="ja">日本語</a>',
        html=True,
    )


def alternates_and_switcher(response):
    """({hreflang: href} of the <link rel=alternate>s, {hreflang: href} of the switcher's links) of a page."""
    html = response.content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    start = html.index('class="language-switcher"')
    switcher = html[start : html.index("</nav>", start)]
    return alternates, {code: href for href, code in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', switcher)}


def test_an_archive_period_is_linked_only_in_the_languages_whose_lists_hold_it(client):
    """A translation published months after its original moves the essay there in its language only."""
    january_10, march_10 = (datetime.datetime(2024, month, 10, tzinfo=datetime.UTC) for month in (1, 3))
    original = make_post(title="Leaving the lab", language="en", publish_at=january_10)
    make_post(title="研究室を出る", language="ja", translation_key=original.translation_key, publish_at=march_10)
    base = "http://testserver"
    january = {code: url_in(code, "blog:archive-month", year=2024, month=1) for code in ("en", "zh-hans")}

    response = client.get(january["en"])
    alternates, switcher = alternates_and_switcher(response)
    assert alternates == {
        "en": base + january["en"], "zh-hans": base + january["zh-hans"], "x-default": base + january["en"]
    }  # fmt: skip
    assert switcher == {"zh-hans": january["zh-hans"], "en": january["en"]}
    assertContains(response, '<span class="language-missing" title="Not available in Japanese">', count=1)

    march = url_in("ja", "blog:archive-month", year=2024, month=3)
    alternates, switcher = alternates_and_switcher(client.get(march))
    assert alternates == {"ja": base + march, "x-default": base + march}
    assert switcher == {"ja": march}
    # The year holds an essay in every language; a list narrowed by ?lang= exists in every language too.
    assert set(alternates_and_switcher(client.get(url_in("ja", "blog:archive-year", year=2024)))[0]) == {
        "ja", "zh-hans", "en", "x-default"
    }  # fmt: skip
    narrowed = alternates_and_switcher(client.get(january["en"] + "?lang=en"))[1]
    assert narrowed["ja"] == url_in("ja", "blog:archive-month", year=2024, month=1) + "?lang=en"

    for path in {*january.values(), march}:
        alternates, switcher = alternates_and_switcher(client.get(path))
        for href in [*alternates.values(), *switcher.values()]:
            assert client.get(href.removeprefix(base)).status_code == 200, f"{path} links to {href}"


# Translated interface ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [("ja", "最新のエッセイ"), ("zh-hans", "最新文章"), ("en", "Latest essays")],
)
def test_the_interface_speaks_the_readers_language(client, language, text):
    make_post()
    response = client.get(url_in(language, "blog:post-list"))
    assertContains(response, f"<h1>{text}</h1>", html=True)
    assertContains(response, f'<html lang="{language}">')


def test_dates_follow_the_readers_locale(client):
    from datetime import UTC, datetime

    make_post(language="en", title="Dated", publish_at=datetime(2024, 3, 5, 9, tzinfo=UTC))
    assertContains(client.get(url_in("zh-hans", "blog:post-list")), "2024年3月5日")
    assertContains(client.get(url_in("en", "blog:post-list")), "March 5, 2024")


@pytest.mark.parametrize("locale", ["ja", "zh_Hans"])
def test_catalogues_translate_every_string(locale):
    """A string added to a template without a translation would show up in English to every reader."""
    catalogue = (LOCALE_DIR / locale / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert (LOCALE_DIR / locale / "LC_MESSAGES" / "django.mo").exists()
    entries = catalogue.split("\n\n")[1:]
    untranslated = [entry for entry in entries if re.search(r'^msgstr(\[\d\])? ""\n(?!")', entry + "\n", re.M)]
    fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en;q=0.5, ja;q=0.9", "/ja/"),  # by quality, not by order
        ("ja;q=0, en", "/en/"),  # q=0 means "not this one"
        ("ja;q=abc, zh-Hans;q=0.7", "/zh-hans/"),  # a malformed part is skipped, not a 500
        ("*, ja;q=0.1", "/ja/"),
        ("," * 10_000 + "ja", "/en/"),  # only the first 500 characters are read
    ],
)
def test_root_redirect_reads_accept_language_qualities_and_skips_nonsense(client, accept_language, expected):
    assert client.get("/", headers={"accept-language": accept_language})["Location"] == expected
