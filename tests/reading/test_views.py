"""Public pages: what a reader gets, which status codes, and how many queries each page costs."""

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import TemplateDoesNotExist, engines
from django.test import RequestFactory
from django.utils import timezone, translation
from django.views.defaults import server_error
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from blog.caching import changes_together
from blog.models import Post
from tests.factories import make_author, make_post, make_tag, url_in
from tests.paths import ROOT
from tests.reading.machine_readable import json_ld

pytestmark = pytest.mark.django_db

HOUR = timezone.timedelta(hours=1)


def days_ago(days):
    return timezone.now() - timezone.timedelta(days=days)


# Home and lists -------------------------------------------------------------------------------


def test_home_lists_published_posts_newest_first(client):
    make_post(title="Older essay", publish_at=days_ago(3))
    make_post(title="Newer essay", publish_at=days_ago(1))
    response = client.get(url_in("en", "blog:post-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Newer essay") < content.index("Older essay")


def test_drafts_and_scheduled_posts_are_never_listed_until_their_time(client, time_machine):
    tag = make_tag("career")
    author = make_author("Hana")
    make_post(title="Draft essay", status=Post.Status.DRAFT, tags=[tag], authors=[author])
    make_post(title="Scheduled essay", publish_at=timezone.now() + HOUR, tags=[tag], authors=[author])
    pages = [
        url_in("en", "blog:post-list"),
        url_in("en", "blog:tag-detail", slug=tag.slug),
        url_in("en", "blog:author-detail", slug=author.slug),
        url_in("en", "blog:search") + "?q=essay",
    ]
    for page in pages:
        assertNotContains(client.get(page), "Draft")
        assertNotContains(client.get(page), "Scheduled")

    time_machine.move_to(timezone.now() + 2 * HOUR)
    for page in pages:
        assertContains(client.get(page), "Scheduled")
        assertNotContains(client.get(page), "Draft")


def test_home_is_paginated(client, settings):
    for day in range(settings.BUNKO_POSTS_PER_PAGE + 1):
        make_post(title=f"Essay from day {day}", publish_at=days_ago(day + 1))
    first = client.get(url_in("en", "blog:post-list"))
    assertContains(first, "Essay from day 0")
    assertNotContains(first, f"Essay from day {settings.BUNKO_POSTS_PER_PAGE}")
    assertContains(first, 'rel="next" href="?page=2"')
    second = client.get(url_in("en", "blog:post-list") + "?page=2")
    assertContains(second, f"Essay from day {settings.BUNKO_POSTS_PER_PAGE}")
    assertNotContains(second, "Essay from day 0<")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999", "9" * 5000, ""])
@pytest.mark.parametrize("name", ["blog:post-list", "blog:tag-detail", "blog:author-detail", "blog:search"])
def test_bad_page_numbers_are_404_not_500(client, name, page):
    tag, author = make_tag("t"), make_author("A")
    make_post(title="Only essay", tags=[tag], authors=[author])
    kwargs = {"blog:tag-detail": {"slug": tag.slug}, "blog:author-detail": {"slug": author.slug}}.get(name, {})
    query = "?q=essay&" if name == "blog:search" else "?"
    response = client.get(url_in("en", name, **kwargs) + f"{query}page={page}")
    assert response.status_code == (200 if page == "" else 404)


# Post page ---------------------------------------------------------------------------------------


def test_post_page_shows_the_essay_with_its_metadata(client):
    avatar = SimpleUploadedFile("hana.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    hana = make_author("Hana Sato", avatar=avatar)
    ken = make_author("Ken Ito")
    tag = make_tag("academia")
    post = make_post(
        title="Leaving the lab",
        body="## Why\n\nBecause **reasons**.",
        authors=[ken, hana],
        tags=[tag],
        publish_at=datetime(2024, 3, 5, 9, tzinfo=UTC),
    )
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, "<h1>Leaving the lab</h1>", html=True)
    assertContains(response, "<strong>reasons</strong>", html=True)
    content = response.content.decode()
    assert content.index("Ken Ito") < content.index("Hana Sato"), "bylines keep the editor's order"
    assertContains(response, f'<img class="avatar" src="{hana.avatar.url}" alt="" width="40" height="40">', html=True)
    assertContains(response, '<time datetime="2024-03-05T09:00:00+00:00">March 5, 2024</time>', html=True)
    assertContains(response, "1 minute read")
    assertContains(response, f'<a href="{url_in("en", "blog:tag-detail", slug=tag.slug)}" rel="tag">academia</a>')
    assertContains(response, '<html lang="en">')


def test_post_page_in_japanese_shows_dates_in_japanese(client):
    post = make_post(language="ja", title="研究室を去る", publish_at=datetime(2024, 3, 5, 9, tzinfo=UTC))
    response = client.get(post.get_absolute_url())
    assertContains(response, "2024年3月5日")
    assertContains(response, '<html lang="ja">')


def test_post_page_hides_drafts_scheduled_and_other_language_slugs(client):
    draft = make_post(slug="draft", status=Post.Status.DRAFT)
    scheduled = make_post(slug="soon", publish_at=timezone.now() + HOUR)
    japanese = make_post(slug="nihongo", language="ja")
    assert client.get(url_in("en", "blog:post-detail", slug=draft.slug)).status_code == 404
    assert client.get(url_in("en", "blog:post-detail", slug=scheduled.slug)).status_code == 404
    assert client.get(url_in("en", "blog:post-detail", slug=japanese.slug)).status_code == 404
    assert client.get(url_in("ja", "blog:post-detail", slug=japanese.slug)).status_code == 200


def test_table_of_contents_only_for_long_posts(client):
    toc = '<ul><li><a href="#why">Why I left</a></li></ul>'
    long_post, short_post = make_post(), make_post()
    Post.objects.filter(pk=long_post.pk).update(toc_html=toc, reading_minutes=12)
    Post.objects.filter(pk=short_post.pk).update(toc_html=toc, reading_minutes=2)
    assertContains(client.get(long_post.get_absolute_url()), '<h2 id="toc-title">Contents</h2>', html=True)
    assertContains(client.get(long_post.get_absolute_url()), "12 minutes read")
    assertNotContains(client.get(short_post.get_absolute_url()), "Contents")


def test_attribution_box_for_a_republished_article(client):
    post = make_post(
        original_title="Why I left academia",
        original_author="Jane Roe",
        original_url="https://example.org/why",
    )
    response = client.get(post.get_absolute_url())
    assertContains(response, '<a href="https://example.org/why" rel="noopener">Why I left academia</a>', html=True)
    assertContains(response, "Jane Roe")


def test_attribution_never_links_a_non_http_url(client):
    post = make_post(original_title="Sneaky", original_url="javascript:alert(1)")
    response = client.get(post.get_absolute_url())
    assertContains(response, "<cite>Sneaky</cite>", html=True)
    assertNotContains(response, "javascript:alert")


def test_a_translation_names_and_links_its_original(client):
    original = make_post(language="ja", title="博士課程の話")
    translation_ = make_post(language="en", title="On doing a PhD", translation_key=original.translation_key)
    response = client.get(translation_.get_absolute_url())
    assertContains(response, "This essay is a translation. Original, in Japanese:")
    assertContains(
        response, f'<a href="{original.get_absolute_url()}" hreflang="ja" lang="ja">博士課程の話</a>', html=True
    )
    assertNotContains(client.get(original.get_absolute_url()), "is a translation")


def test_related_posts_picked_by_the_editor_in_order_and_in_the_readers_language(client):
    first_ja = make_post(language="ja", title="一本目")
    first_en = make_post(language="en", title="First pick", translation_key=first_ja.translation_key)
    second_ja = make_post(language="ja", title="二本目")
    draft = make_post(title="Draft pick", status=Post.Status.DRAFT)
    post = make_post(title="The essay", related=[second_ja, first_ja, draft])
    response = client.get(post.get_absolute_url())
    content = response.content.decode()
    related = content[content.index('id="related-title"') : content.index("</section>")]
    assert related.index("二本目") < related.index("First pick"), "editor's order is kept"
    assertNotContains(response, "一本目")
    assertNotContains(response, "Draft pick")
    assertContains(response, f'<a href="{second_ja.get_absolute_url()}" hreflang="ja" lang="ja">二本目</a>', html=True)
    assert first_en.get_absolute_url() in related


def test_related_posts_default_to_those_sharing_most_tags(client):
    a, b, c = make_tag("a"), make_tag("b"), make_tag("c")
    post = make_post(title="The essay", tags=[a, b, c])
    translation_ = make_post(language="ja", title="翻訳", tags=[a, b, c], translation_key=post.translation_key)
    make_post(title="Shares one", tags=[a], publish_at=days_ago(0.1))
    make_post(title="Shares three", tags=[a, b, c], publish_at=days_ago(5))
    make_post(title="Shares two", tags=[b, c], publish_at=days_ago(4))
    make_post(title="Shares none", tags=[make_tag("d")])
    make_post(title="Draft sharing all", tags=[a, b, c], status=Post.Status.DRAFT)
    content = client.get(post.get_absolute_url()).content.decode()
    related = content[content.index('id="related-title"') : content.index("</section>")]
    assert related.index("Shares three") < related.index("Shares two") < related.index("Shares one")
    for absent in ("Shares none", "Draft sharing all", "The essay<", translation_.title):
        assert absent not in related


def test_external_related_links_with_summaries(client):
    post = make_post(
        links=[
            {"title": "A good paper", "url": "https://arxiv.org/abs/1234.5678", "summary": "Why labs lose people."},
            {"title": "Bad link", "url": "javascript:alert(1)"},
        ]
    )
    response = client.get(post.get_absolute_url())
    assertContains(response, '<a href="https://arxiv.org/abs/1234.5678" rel="noopener">A good paper</a>', html=True)
    assertContains(response, "Why labs lose people.")
    assertNotContains(response, "javascript:")


def test_previous_and_next_posts_in_the_same_language(client):
    older = make_post(title="Older", publish_at=days_ago(3))
    make_post(title="Japanese between", language="ja", publish_at=days_ago(2))
    current = make_post(title="Current", publish_at=days_ago(1.5))
    make_post(title="Draft newer", status=Post.Status.DRAFT)
    newer = make_post(title="Newer", publish_at=days_ago(1))
    response = client.get(current.get_absolute_url())
    assertContains(response, f'rel="prev" href="{older.get_absolute_url()}"')
    assertContains(response, f'rel="next" href="{newer.get_absolute_url()}"')
    assertNotContains(response, "Japanese between")
    assertNotContains(client.get(older.get_absolute_url()), 'rel="prev"')


def test_seo_tags_on_a_post_page(client):
    cover = SimpleUploadedFile("cover.jpg", b"jpeg", content_type="image/jpeg")
    post = make_post(
        title="Leaving the lab",
        summary="A summary for search engines.",
        cover_image=cover,
        cover_alt="A bench",
        authors=[make_author("Hana Sato")],
    )
    response = client.get(post.get_absolute_url())
    absolute = f"http://testserver{post.get_absolute_url()}"
    cover_url = f"http://testserver{post.cover_image.url}"
    assertContains(response, "<title>Leaving the lab | Bunko</title>", html=True)
    assertContains(response, '<meta name="description" content="A summary for search engines.">', html=True)
    assertContains(response, f'<link rel="canonical" href="{absolute}">', html=True)
    assertContains(response, '<meta property="og:type" content="article">', html=True)
    assertContains(response, f'<meta property="og:image" content="{cover_url}">', html=True)
    assertContains(response, '<meta name="twitter:card" content="summary_large_image">', html=True)
    assertContains(response, f'<img src="{post.cover_image.url}" alt="A bench">', html=True)
    data = json_ld(response)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Leaving the lab"
    assert data["inLanguage"] == "en"
    assert data["author"][0]["name"] == "Hana Sato"
    assert data["image"] == cover_url
    assert data["datePublished"] == post.publish_at.isoformat(timespec="seconds")


def test_link_previews_show_the_first_image_of_the_text_and_a_cover_wins(client):
    """No page had an og:image and JSON-LD had no image, though the essay's text showed pictures."""
    body = 'Intro.\n\n![A chart of "three" results](/media/uploads/chart.png)\n\n![Second](https://example.org/b.png)'
    post = make_post(title="Figures", body=body)
    response = client.get(post.get_absolute_url())
    chart_url = "http://testserver/media/uploads/chart.png"
    assertContains(response, f'<meta property="og:image" content="{chart_url}">', html=True)
    assertContains(response, '<meta property="og:image:alt" content="A chart of &quot;three&quot; results">', html=True)
    assertContains(response, f'<meta name="twitter:image" content="{chart_url}">', html=True)
    assert json_ld(response)["image"] == chart_url

    post.cover_image = SimpleUploadedFile("cover.jpg", b"jpeg", content_type="image/jpeg")
    post.save()
    response = client.get(post.get_absolute_url())
    assert json_ld(response)["image"] == f"http://testserver{post.cover_image.url}"
    assertNotContains(response, chart_url)


def test_json_ld_cannot_be_broken_out_of(client):
    post = make_post(title="</script><script>alert(1)</script> & more")
    response = client.get(post.get_absolute_url())
    assertNotContains(response, "<script>alert(1)")
    assert json_ld(response)["headline"] == post.title


def test_meta_description_without_summary_is_an_excerpt_cut_at_a_sentence(client):
    body = "転職について書きます。" * 30
    post = make_post(language="ja", title="転職", body=body)
    response = client.get(post.get_absolute_url())
    description = re.search(r'<meta name="description" content="([^"]*)">', response.content.decode()).group(1)
    assert description.endswith("。")
    assert 0 < len(description) <= 160
    assert body.startswith(description)


def test_pages_load_the_embed_script_and_code_styles(client):
    response = client.get(url_in("en", "blog:post-list"))
    assertContains(response, '<script src="/static/js/embeds.js" defer></script>', html=True)
    assertContains(response, 'href="/static/css/code.css"')
    # The one inline script is the colour scheme's (static/js/theme.js), which must run before the first paint.
    assertContains(response, "<script>", count=1)
    assertContains(response, f"<script>{settings.BUNKO_THEME_SCRIPT}</script>")


# Tag, author and archive pages -------------------------------------------------------------------


def test_tag_page_lists_only_its_posts(client):
    tag = make_tag("キャリア", description="Careers in and out of research.")
    make_post(title="Tagged essay", tags=[tag])
    make_post(title="Other essay", tags=[make_tag("other")])
    response = client.get(url_in("en", "blog:tag-detail", slug=tag.slug))
    assertContains(response, "Essays tagged “キャリア”")
    assertContains(response, "Careers in and out of research.")
    assertContains(response, "Tagged essay")
    assertNotContains(response, "Other essay")
    assert client.get(url_in("en", "blog:tag-detail", slug="nothing")).status_code == 404


def test_author_page_shows_bio_links_and_posts(client):
    author = make_author(
        "Hana Sato",
        bio="Physicist turned *engineer*.",
        website="https://hana.example",
        github="hana",
        orcid="0000-0002-1825-0097",
    )
    make_post(title="Her essay", authors=[author])
    make_post(title="Someone else's essay")
    response = client.get(url_in("en", "blog:author-detail", slug=author.slug))
    assertContains(response, "<h1>Hana Sato</h1>", html=True)
    assertContains(response, "<em>engineer</em>", html=True)
    assertContains(response, '<a href="https://hana.example" rel="me">Website</a>', html=True)
    assertContains(response, '<a href="https://github.com/hana" rel="me">GitHub</a>', html=True)
    assertContains(response, '<a href="https://orcid.org/0000-0002-1825-0097" rel="me">ORCID</a>', html=True)
    assertContains(response, "Her essay")
    assertNotContains(response, "Someone else")
    assert client.get(url_in("en", "blog:author-detail", slug="nobody")).status_code == 404


def test_archive_by_year_and_month(client):
    march = datetime(2023, 3, 10, tzinfo=UTC)
    make_post(title="March essay", publish_at=march)
    make_post(title="July essay", publish_at=march.replace(month=7))
    make_post(title="Next year essay", publish_at=march.replace(year=2024))
    make_post(title="Draft of 2023", status=Post.Status.DRAFT)

    year = client.get(url_in("en", "blog:archive-year", year=2023))
    assertContains(year, "Essays from 2023")
    assertContains(year, "March essay")
    assertContains(year, "July essay")
    assertNotContains(year, "Next year essay")
    assertContains(
        year, f'<a href="{url_in("en", "blog:archive-month", year=2023, month=3)}">March 2023</a>', html=True
    )
    assertContains(year, f'rel="next" href="{url_in("en", "blog:archive-year", year=2024)}"')

    month = client.get(url_in("en", "blog:archive-month", year=2023, month=3))
    assertContains(month, "March essay")
    assertNotContains(month, "July essay")

    home = client.get(url_in("ja", "blog:post-list"))
    assertContains(home, f'<a href="{url_in("ja", "blog:archive-month", year=2023, month=7)}">2023年7月</a>', html=True)


@pytest.mark.parametrize("name", ["blog:archive-year", "blog:archive-month"])
def test_archives_are_paginated_like_other_lists(client, settings, name):
    first_day = datetime(2023, 3, 1, tzinfo=UTC)
    for day in range(settings.BUNKO_POSTS_PER_PAGE + 1):
        make_post(title=f"Essay of March {day + 1}", publish_at=first_day.replace(day=day + 1))
    url = url_in("en", name, **({"year": 2023, "month": 3} if name.endswith("month") else {"year": 2023}))
    first = client.get(url)
    assertContains(first, f"Essay of March {settings.BUNKO_POSTS_PER_PAGE + 1}<")
    assertNotContains(first, "Essay of March 1<")
    assertContains(first, 'rel="next" href="?page=2"')
    second = client.get(url + "?page=2")
    assertContains(second, "Essay of March 1<")
    assertNotContains(second, f"Essay of March {settings.BUNKO_POSTS_PER_PAGE + 1}<")
    for page in ["0", "abc", "3", "99999"]:
        assert client.get(url + f"?page={page}").status_code == 404, page


@pytest.mark.parametrize(
    "kwargs",
    [
        {"year": 2022},
        {"year": 0},
        {"year": 9999},
        {"year": 99999},
        {"year": 2023, "month": 4},
        {"year": 2023, "month": 13},
    ],
)
def test_archive_without_posts_or_with_impossible_dates_is_404(client, kwargs):
    make_post(publish_at=datetime(2023, 3, 10, tzinfo=UTC))
    make_post(publish_at=datetime(9999, 3, 10, tzinfo=UTC), status=Post.Status.DRAFT)
    name = "blog:archive-month" if "month" in kwargs else "blog:archive-year"
    assert client.get(url_in("en", name, **kwargs)).status_code == 404


# Errors and robots --------------------------------------------------------------------------------


def test_friendly_404_in_the_readers_language(client):
    response = client.get("/ja/posts/no-such-essay/")
    assert response.status_code == 404
    assertContains(response, '<html lang="ja">', status_code=404)
    assertContains(response, "ページが見つかりません", status_code=404)
    assertContains(
        response, '<a href="/zh-hans/" hreflang="zh-hans" lang="zh-hans">简体中文</a>', html=True, status_code=404
    )


def test_500_page_renders_without_context_in_the_readers_language():
    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/zh-hans/"))
    assert response.status_code == 500
    assertContains(response, '<html lang="zh-hans">', status_code=500)
    assertContains(response, "出错了", status_code=500)


def test_a_crashing_page_answers_with_the_friendly_500(client, monkeypatch):
    def crash(self):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("blog.reading.views.PostListView.get_queryset", crash)
    client.raise_request_exception = False
    response = client.get(url_in("ja", "blog:post-list"))
    assert response.status_code == 500
    assertContains(response, "問題が発生しました", status_code=500)


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


def template_names(folder):
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("engine", "other_engine", "folder"),
    [("jinja2", "django", ROOT / "templates"), ("django", "jinja2", ROOT / "blog" / "templates")],
)
def test_each_template_engine_finds_only_its_own_templates(engine, other_engine, folder):
    """A Jinja2 page found by Django's engine, or an admin override found by Jinja2, would fail to compile."""
    for name in template_names(folder):
        assert engines[engine].get_template(name)
        with pytest.raises(TemplateDoesNotExist):
            engines[other_engine].get_template(name)


# Query counts -------------------------------------------------------------------------------------


def populate(count):
    """`count` essays, each in two languages, with several tags and authors, so N+1 queries would show."""
    with changes_together():  # the cache state moves once, not for each post, byline, tag and link
        tags = [make_tag(f"topic {n}") for n in range(4)]
        authors = [make_author(f"Writer {n}") for n in range(3)]
        posts = []
        for n in range(count):
            when = datetime(2023, 1 + n % 12, 1 + n % 27, tzinfo=UTC)
            ja = make_post(
                language="ja",
                title=f"随筆 {n}",
                body=f"転職の話 {n}。",
                tags=tags[: 1 + n % 4],
                authors=authors[: 1 + n % 3],
                publish_at=when,
            )
            en = make_post(
                language="en",
                title=f"Essay {n}",
                body=f"A story about changing jobs {n}.",
                tags=tags[: 1 + n % 4],
                authors=authors[: 1 + n % 3],
                translation_key=ja.translation_key,
                publish_at=when + HOUR,
                related=posts[-2:],
                links=[{"title": "Elsewhere", "url": "https://example.org/"}],
            )
            posts.append(en)
        return posts[0], tags[0], authors[0]


PAGE_BUDGETS = [
    ("home", 8),
    ("home ?lang", 8),
    ("tag", 8),
    ("author", 8),
    ("year", 8),
    ("month", 8),
    ("search", 8),
    ("post", 6),
    ("post without picks", 6),
]


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("page", "budget"), PAGE_BUDGETS)
def test_query_count_stays_flat_as_content_grows(client, django_assert_max_num_queries, size, page, budget, settings):
    """Guards against per-row queries for bylines, tags, translations, related posts and neighbours.

    The page cache is off: storing a page reads its dependencies' versions, one query more.
    """
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    post, tag, author = populate(size)
    urls = {
        "home": url_in("en", "blog:post-list"),
        "home ?lang": url_in("en", "blog:post-list") + "?lang=ja",
        "tag": url_in("en", "blog:tag-detail", slug=tag.slug),
        "author": url_in("zh-hans", "blog:author-detail", slug=author.slug),
        "year": url_in("en", "blog:archive-year", year=2023),
        "month": url_in("en", "blog:archive-month", year=2023, month=1),
        "search": url_in("en", "blog:search") + "?q=転職",
        "post": Post.objects.filter(language="en").latest().get_absolute_url(),
        "post without picks": post.get_absolute_url(),
    }
    with django_assert_max_num_queries(budget):
        response = client.get(urls[page])
    assert response.status_code == 200


def test_favicon_ico_is_an_icon_not_a_404(client):
    """Browsers ask for /favicon.ico on every site, the admin's pages included, whatever the pages link."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = finders.find(response["Location"].removeprefix(settings.STATIC_URL).removeprefix("/static/"))
    with Image.open(icon) as image:
        assert image.format == "ICO"
        assert (32, 32) in image.info["sizes"]
