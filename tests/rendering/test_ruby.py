"""Ruby (furigana, pinyin) written the Aozora or DenDen way, as readers, feeds, search and the editor see it."""

import pytest
from pytest_django.asserts import assertHTMLEqual

from blog.models import Post
from blog.reading.search import parse_query, search
from blog.rendering import render
from tests.factories import make_post

KANJI_RUBY = "<ruby>漢字<rp>(</rp><rt>かんじ</rt><rp>)</rp></ruby>"


@pytest.mark.parametrize(
    "markdown",
    [
        "|漢字《かんじ》を読む",  # Aozora, ASCII bar
        "｜漢字《かんじ》を読む",  # Aozora, full-width bar
        "漢字《かんじ》を読む",  # Aozora, the kanji run before 《
        "{漢字|かんじ}を読む",  # DenDen group ruby
    ],
)
def test_every_syntax_gives_the_same_ruby(markdown):
    assertHTMLEqual(render(markdown).html, f"<p>{KANJI_RUBY}を読む</p>")


def test_aozora_without_a_bar_annotates_only_the_kanji_run():
    assertHTMLEqual(
        render("ひらがなの東京《とうきょう》").html,
        "<p>ひらがなの<ruby>東京<rp>(</rp><rt>とうきょう</rt><rp>)</rp></ruby></p>",
    )


def test_aozora_bar_takes_any_base():
    assertHTMLEqual(render("|Bunko《ぶんこ》").html, "<p><ruby>Bunko<rp>(</rp><rt>ぶんこ</rt><rp>)</rp></ruby></p>")


def test_denden_per_character_readings_pair_up_inside_one_ruby():
    assertHTMLEqual(
        render("{漢字|かん|じ}").html,
        "<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rp>(</rp><rt>じ</rt><rp>)</rp></ruby></p>",
    )


def test_chinese_pinyin():
    assertHTMLEqual(
        render("{汉字|hàn|zì}", language="zh-hans").html,
        "<p><ruby>汉<rp>(</rp><rt>hàn</rt><rp>)</rp>字<rp>(</rp><rt>zì</rt><rp>)</rp></ruby></p>",
    )


@pytest.mark.parametrize(
    "markdown",
    [
        "{漢字|か|ん|じ}",  # more readings than characters: the writer sees the slip as written
        "\\{漢字|かんじ}",  # escaped
        "あいう《えお》",  # 《 after kana, no bar: a quotation mark, not ruby
        "漢字《《強調》》",  # Kakuyomu's emphasis marks are no reading
    ],
)
def test_text_that_is_not_ruby_stays_as_written(markdown):
    html = render(f"{markdown} {{字|じ}}").html
    assert html.count("<ruby>") == 1  # the ruby beside it only
    assert markdown.lstrip("\\") in html


def test_code_spans_and_blocks_keep_their_text():
    html = render("`{a|b}` and `漢字《かんじ》` but 漢字《かんじ》\n\n```\nx = {漢字|かんじ}\n```").html
    assert html.count("<ruby>") == 1 and f"but {KANJI_RUBY}" in html
    assert "<code>{a|b}</code>" in html and "<code>漢字《かんじ》</code>" in html
    assert "x = {漢字|かんじ}" in html


def test_link_urls_keep_their_text_and_link_text_gets_ruby():
    html = render("[{漢字|かんじ}](https://example.com/{a|b}《c》) <https://example.com/漢字《かんじ》>").html
    assertHTMLEqual(
        html,
        f'<p><a href="https://example.com/{{a|b}}《c》" rel="noopener noreferrer">{KANJI_RUBY}</a> '
        '<a href="https://example.com/漢字《かんじ》" rel="noopener noreferrer">'
        "https://example.com/漢字《かんじ》</a></p>",
    )


def test_ruby_in_headings_emphasis_and_tables():
    html = render("## {漢字|かんじ}の話\n\n*漢字《かんじ》*\n\n| a |\n|---|\n| 漢字《かんじ》 |").html
    assert f">{KANJI_RUBY}の話</h2>" in html
    assert f"<em>{KANJI_RUBY}</em>" in html
    assert f"<td>{KANJI_RUBY}</td>" in html


def test_markup_in_readings_is_sanitised_like_any_other():
    html = render("{漢字|<img src=x onerror=alert(1)>}|字《<script>alert(1)</script>》").html
    assert "<ruby>" in html
    assert "onerror" not in html and "<script" not in html and "alert(1)</" not in html


def test_reading_time_counts_the_base_not_the_reading():
    assert render("漢字" * 200).reading_minutes == 1
    assert render("{漢字|かんじ}" * 200).reading_minutes == 1  # 400 characters read, not 1,000


# What readers, feeds and search get from a saved post.


@pytest.mark.django_db
def test_excerpt_and_feed_show_base_with_reading_in_parentheses():
    post = make_post(title="振り仮名", language="ja", body="今日は{漢字|かん|じ}と東京《とうきょう》の話。")
    assert post.excerpt == "今日は漢(かん)字(じ)と東京(とうきょう)の話。"
    assert "<ruby>東京<rp>(</rp><rt>とうきょう</rt><rp>)</rp></ruby>" in post.feed_html


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["東京", "とうきょう", "漢字", "かんじ"])
def test_search_finds_the_base_and_the_reading(term):
    post = make_post(title="振り仮名", language="ja", body="{東|とう}{京|きょう}に住む。{漢字|かん|じ}を書く。")
    make_post(title="ほか", language="ja", body="関係のない話。")
    assert list(search(parse_query(term), "ja")) == [post]


@pytest.mark.django_db
def test_search_still_finds_plain_text():
    post = make_post(title="普通", language="ja", body="ルビのない本文。")
    assert list(search(parse_query("ない本文"), "ja")) == [post]
    assert Post.objects.get(pk=post.pk).search_text == "ルビのない本文。"
