"""BudouX phrase breaks in Japanese and Chinese headings and titles: where a line may break, as readers get it."""

import pytest
from pytest_django.asserts import assertHTMLEqual

from blog.models import Post
from blog.rendering import render
from tests.factories import make_post, url_in


def heading(markdown, language):
    """The first heading's inner HTML as `render` stores it."""
    html = render(markdown, language=language).html
    return html[html.index(">") + 1 : html.index("</h")]


@pytest.mark.parametrize(
    ("markdown", "language", "expected"),
    [
        ("# 研究室の一年を振り返る", "ja", "研究室の<wbr>一年を<wbr>振り返る"),
        ("### 我们的研究室生活回顾", "zh-hans", "我们<wbr>的<wbr>研究室<wbr>生活<wbr>回顾"),
        ("## *研究室*の一年を振り返る", "ja", "<em>研究室</em>の<wbr>一年を<wbr>振り返る"),
    ],
)
def test_japanese_and_chinese_headings_break_between_phrases(markdown, language, expected):
    assert heading(markdown, language) == expected


def test_other_languages_and_paragraphs_keep_the_browsers_breaks():
    assert "<wbr>" not in render("## 研究室の一年を振り返る", language="en").html
    assert "<wbr>" not in render("研究室の一年を振り返る。毎週ノートを書きました。", language="ja").html


@pytest.mark.parametrize(
    ("markdown", "kept_whole"),
    [
        ("## 東京の[研究室の一年を振り返る](https://example.com/)について", "研究室の一年を振り返る</a>"),
        ("## {研究室の一年|けんきゅうしつのいちねん}を振り返る", "研究室の一年<rp>"),
        ("## `研究室の一年を振り返る`について", "<code>研究室の一年を振り返る</code>"),
        ("## 式 $$x_{研究室の一年}$$ を振り返る", "<mi>研</mi><mi>究</mi><mi>室</mi><mi>の</mi><mi>一</mi><mi>年</mi>"),
    ],
)
def test_no_break_inside_links_ruby_code_or_math(markdown, kept_whole):
    html = heading(markdown, "ja")
    assert kept_whole in html
    assert "<wbr>" in html  # the text around them still breaks between phrases


def test_heading_ids_and_contents_hold_no_breaks():
    rendered = render("## 研究室の一年\n\n## 振り返る日々\n\n## 東京の研究室", language="ja")
    assert 'id="研究室の一年"' in rendered.html
    assertHTMLEqual(
        rendered.toc,
        '<div class="toc"><ul><li><a href="#研究室の一年" rel="noopener noreferrer">研究室の一年</a></li>'
        '<li><a href="#振り返る日々" rel="noopener noreferrer">振り返る日々</a></li>'
        '<li><a href="#東京の研究室" rel="noopener noreferrer">東京の研究室</a></li></ul></div>',
    )


@pytest.mark.django_db
def test_titles_on_cards_and_the_post_page_break_between_phrases(client):
    post = make_post(title="研究室の一年を振り返る & more", language="ja")
    english = make_post(title="研究室の一年", language="en")
    page = client.get(post.get_absolute_url()).content.decode()
    cards = client.get(url_in("ja", "blog:post-list")).content.decode()

    assert "<h1>研究室の<wbr>一年を<wbr>振り返る<wbr> &amp; more</h1>" in page
    assert f'<a href="{post.get_absolute_url()}">研究室の<wbr>一年を<wbr>振り返る<wbr> &amp; more</a>' in cards
    assert f'<a href="{english.get_absolute_url()}">研究室の一年</a>' in cards


@pytest.mark.django_db
def test_a_bulk_rename_breaks_the_new_title_too(client):
    post = make_post(title="Draft", language="ja")
    Post.objects.filter(pk=post.pk).update(title="研究室の一年を振り返る")
    assert "<h1>研究室の<wbr>一年を<wbr>振り返る</h1>" in client.get(post.get_absolute_url()).content.decode()


def test_an_overlong_heading_is_left_to_the_browser():
    assert "<wbr>" not in render("## " + "研究室の一年を振り返る" * 40, language="ja").html
