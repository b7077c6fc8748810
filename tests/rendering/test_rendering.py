"""The renderer: Markdown, math, headings and TOC, images, Jekyll leftovers, reading time, limits, corpus."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from PIL import Image
from pytest_django.asserts import assertHTMLEqual

from blog import rendering
from blog.models import Author, Post
from blog.rendering import feed_html, markdownify, render, validate_markdown
from tests.factories import make_author, make_post
from tests.paths import SHARED

CORPUS_POSTS = sorted((SHARED / "corpus" / "jekyll-blog" / "_posts").glob("*.md"))


def body_of(path):
    """A corpus post without its front matter (the importer's job; here only the body matters)."""
    return path.read_text().split("---", 2)[2]


# Markdown


def test_tables_align_with_attributes_not_styles():
    html = render("| a | b |\n|:-:|--:|\n| 1 | *2* |").html
    assert '<th align="center">a</th>' in html
    assert '<td align="right"><em>2</em></td>' in html
    assert "style" not in html


def test_fenced_code_is_highlighted_with_css_classes():
    html = render("```python\ndef f(x):\n    return x < 1\n```").html
    assert html.startswith('<div class="highlight"><pre tabindex="0">')
    assert '<span class="k">def</span>' in html
    assert '<span class="o">&lt;</span>' in html


def test_code_blocks_can_be_scrolled_from_the_keyboard():
    """A long line scrolls sideways; a keyboard reaches the block only if it is focusable (axe: scrollable-region)."""
    html = render('```sh\necho "a long line"\n```\n\n    indented code\n\n<pre tabindex="-1">pasted</pre>').html
    assert html.count('<pre tabindex="0">') == 3
    assert 'tabindex="-1"' not in html
    assert "tabindex" not in render("A paragraph with `code`.").html


def test_footnotes_link_both_ways():
    html = render("A claim.[^1]\n\n[^1]: The source.").html
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"' in html
    assert '<li id="fn:1">' in html and 'href="#fnref:1"' in html


def test_heading_ids_keep_japanese_and_chinese_and_stay_stable():
    text = "## Introduction\n\n## はじめに\n\n## 研究背景与动机\n\n## はじめに\n\n## !!!"
    ids = re.findall(r'<h2 id="([^"]+)"', render(text).html)
    assert ids == ["introduction", "はじめに", "研究背景与动机", "はじめに_1", "section"]
    assert re.findall(r'<h2 id="([^"]+)"', render(text).html) == ids


def test_table_of_contents_needs_three_headings():
    assert render("## One\n\ntext\n\n## Two\n\ntext").toc == ""
    toc = render("## One\n\n### 二\n\n## 三つ目").toc
    assert re.findall(r'href="#([^"]+)"', toc) == ["one", "二", "三つ目"]


def test_smart_typography_leaves_cjk_punctuation_alone():
    html = render('He said "hi" -- it\'s は"トピック"と「引用」、“全角”。 Wait... `"code" ...`').html
    assert html == ('<p>He said “hi” – it’s は“トピック”と「引用」、“全角”。 Wait… <code>"code" ...</code></p>')


def test_a_line_break_inside_cjk_text_does_not_become_a_space():
    html = render("気持ちと、\n生活への思い。\nEnglish line\nnext line\n\n```\n漢字\n漢字\n```").html
    assert "気持ちと、生活への思い。\nEnglish line\nnext line" in html
    assert "漢字\n漢字" in html


def test_nothing_carries_over_from_one_render_to_the_next():
    render("## A\n\n## B\n\n## C\n\nNote[^1] [x]({% link a.md %})\n\n[^1]: n", resolve_link=lambda path: "/a/")
    rendered = render("## A\n\nPlain [x]({% link a.md %}).")
    assert rendered.html == '<h2 id="a">A</h2>\n<p>Plain x.</p>'
    assert rendered.toc == ""


def test_markdownify_is_the_public_html():
    text = "# Title\n\nSome *text* and $$x^2$$."
    assert markdownify(text) == render(text).html


# Math


def test_inline_kramdown_math_becomes_mathml_inside_the_paragraph():
    html = render(r"単語$$w$$にトピック$$z_{i}$$を割り当てる").html
    assert html.startswith('<p>単語<math display="inline">')
    assert html.count("<math") == 2
    assert "$$" not in html and "<em>" not in html


def test_display_math_is_a_block_that_markdown_does_not_touch():
    text = "Loss:\n\n$$\n\\begin{aligned}\nL &= a_1 * b_1\n    - \\sum_i x_i \\\\\n+ c\n\\end{aligned}\n$$\n\nwhere..."
    html = render(text).html
    assert '<math display="block">' in html
    assert "<mtable" in html  # `aligned` laid out as aligned rows
    assert "<li>" not in html and "<em>" not in html and "<pre>" not in html
    assert not re.search(r"<p>\s*<math", html)


@pytest.mark.parametrize(
    ("text", "display"),
    [(r"The \(x^2\) term", "inline"), ("\\[\n\\int_0^1 f\n\\]", "block"), ("$$\\frac{a}{b}$$", "block")],
)
def test_latex_delimiters(text, display):
    assert f'<math display="{display}">' in render(text).html


@pytest.mark.parametrize(
    ("text", "formulas", "kept"),
    [
        ("The $x^2$ term", 1, "The "),
        ("単語$w$にトピック$z_{i}$を", 2, "にトピック"),
        ("Kramdown $$a$$ and pandoc $b$ side by side", 2, " and pandoc "),
        ("$x$ costs $5 or $10.", 1, "costs $5 or $10."),
        ("$x$ from $5-$10 a month", 1, "from $5-$10 a month"),
        ("$x$ 価格は$5で、$10です", 1, "価格は$5で、$10です"),
        ("$x$ but $ y$ and $y $ have spaces inside", 1, "$ y$ and $y $"),
        ("$x$ but $y$5 is followed by a digit", 1, "$y$5"),
        (r"$x$ but \$y$ is escaped", 1, "but $y$ is"),
        ("$x$ but `$y$` is code", 1, "<code>$y$</code>"),
        ("$x$\n\n```\n$y$\n```", 1, "$y$"),
    ],
)
def test_single_dollar_math_follows_pandocs_rule(text, formulas, kept):
    """`$…$` is math only with no space inside the dollars and no digit after: prices and code stay text."""
    html = render(text).html
    assert html.count('<math display="inline">') == formulas
    assert kept in html


def test_single_dollar_formula_holds_an_escaped_dollar_and_leaves_emphasis_to_tex():
    html = render(r"Spend $a\$_i * b_i$ *now*").html
    assert html.count("<math") == 1
    assert "<mi>$</mi>" in html
    assert html.endswith("<em>now</em></p>")


def test_escaped_dollar_outside_math_is_a_plain_dollar():
    assert render(r"Only \$5.").html == "<p>Only $5.</p>"


def test_escaped_reference_brackets_are_not_math():
    assert render(r"\[1\] Smith, *Sparse LDA*.").html == "<p>[1] Smith, <em>Sparse LDA</em>.</p>"


def test_formula_that_fails_to_parse_is_shown_as_source():
    html = render(r"Broken $$\frac{$$ here.").html
    assert '<code class="math-error">$$\\frac{$$</code>' in html
    assert "<math" not in html


def test_math_delimiters_inside_code_stay_code():
    html = render("`$$x$$`\n\n```\n$$y$$\n```").html
    assert "<math" not in html
    assert "<code>$$x$$</code>" in html and "$$y$$" in html


# Jekyll leftovers


def test_site_variables_are_removed_leaving_site_relative_urls():
    html = render("![acc]({{ site.url }}/assets/img/acc.png) [home]({{ site.baseurl }}/about/)").html
    assert 'src="/assets/img/acc.png"' in html and 'href="/about/"' in html
    assert "{{" not in html


def test_link_tags_resolve_through_the_resolver():
    seen = []

    def resolve(path):
        seen.append(path)
        return "/ja/posts/tools/" if path == "_posts/2020-10-06-ToolsForWorkFromHome.md" else None

    html = render(
        "[前の記事]({{ site.baseurl }}{% link _posts/2020-10-06-ToolsForWorkFromHome.md %}) and "
        "[gone]({% link _posts/2001-01-01-missing.md %}) and [old]({% post_url 2020-10-06-ToolsForWorkFromHome %})",
        resolve_link=resolve,
    ).html
    assert seen == ["_posts/2020-10-06-ToolsForWorkFromHome.md", "_posts/2001-01-01-missing.md",
                    "_posts/2020-10-06-ToolsForWorkFromHome.md"]  # fmt: skip
    assert html == (
        '<p><a href="/ja/posts/tools/" rel="noopener noreferrer">前の記事</a> and gone and '
        '<a href="/ja/posts/tools/" rel="noopener noreferrer">old</a></p>'
    )


def test_kramdown_attribute_lists_and_toc_markers_are_removed():
    text = (
        '* TOC\n{:toc}\n\nMeal\n![soup](https://example.com/soup.jpg "soup"){:height="400px"}\n\n'
        "A paragraph.\n{: .note}\n\n{::comment}\nhidden\n{:/comment}\n\nkeep `{:code}`"
    )
    html = render(text).html
    assert "{:" not in html.replace("<code>{:code}</code>", "")
    assert "TOC" not in html and "hidden" not in html
    assert "<figcaption>soup</figcaption>" in html


def test_other_liquid_is_removed_and_raw_blocks_are_kept_literally():
    text = (
        '{% include figure.html %}Intro {{ page.title }}. ![x]({{ "/assets/x.png" | relative_url }})\n\n'
        "{% comment %}draft note{% endcomment %}{% raw %}Write {{ name }}{% endraw %}\n\n"
        "`{{ var }}` stays code"
    )
    html = render(text).html
    assert 'src="/assets/x.png"' in html
    assert "draft note" not in html and "{%" not in html
    assert "Write {{ name }}" in html
    assert "<code>{{ var }}</code>" in html


def test_highlight_blocks_become_highlighted_code():
    html = render("{% highlight python %}\nimport numpy as np\n{% endhighlight %}").html
    assert '<span class="kn">import</span>' in html
    assert "{%" not in html


@pytest.mark.django_db
def test_post_links_resolve_to_published_posts_only():
    make_post(title="Tools", slug="tools", language="ja", source_path="_posts/2020-10-06-ToolsForWorkFromHome.md")
    make_post(title="Draft", slug="draft", status=Post.Status.DRAFT, source_path="_posts/2030-01-01-draft.md")
    post = make_post(
        language="ja",
        body="[3年前]({{ site.baseurl }}{% link _posts/2020-10-06-ToolsForWorkFromHome.md %}) / "
        "[未公開]({% link _posts/2030-01-01-draft.md %})",
    )
    assert post.body_html == ('<p><a href="/ja/posts/tools/" rel="noopener noreferrer">3年前</a> / 未公開</p>')


# Images


def test_image_with_title_is_a_lazy_figure_with_caption():
    html = render('![A cat](https://example.com/cat.jpg "My cat")').html
    assertHTMLEqual(
        html,
        '<figure><img alt="A cat" decoding="async" referrerpolicy="no-referrer" '
        'src="https://example.com/cat.jpg" loading="lazy"><figcaption>My cat</figcaption></figure>',
    )


def test_image_in_a_sentence_stays_inline():
    html = render("An icon ![i](/static/i.png) in text.").html
    assert html.startswith("<p>An icon <img") and "<figure>" not in html
    assert 'loading="lazy"' in html


def test_image_on_its_own_line_after_text_becomes_a_figure():
    html = render('前菜．\n![dish](https://example.com/a.jpg "Appetizer")').html
    assert html.startswith("<p>前菜．</p>\n<figure>")
    assert "<figcaption>Appetizer</figcaption>" in html


def test_uploaded_image_gets_size_and_webp_renditions_made_once(media_root):
    (media_root / "uploads").mkdir(parents=True)
    Image.new("RGB", (2000, 1000), "teal").save(media_root / "uploads" / "photo.png")

    html = render("![Photo](/media/uploads/photo.png)").html
    assert 'width="2000"' in html and 'height="1000"' in html
    srcset = re.search(r'srcset="([^"]+)"', html).group(1)
    candidates = [candidate.split(" ") for candidate in srcset.split(", ")]
    assert [width for _url, width in candidates] == ["480w", "960w", "1600w", "2000w"]
    renditions = sorted((media_root / "renditions").rglob("*.webp"))
    assert len(renditions) == 3
    with Image.open(renditions[0]) as small:
        assert small.format == "WEBP" and small.width in (480, 960, 1600)
    made = {path: path.stat().st_mtime_ns for path in renditions}

    assert render("![Photo](/media/uploads/photo.png)").html == html
    assert {path: path.stat().st_mtime_ns for path in (media_root / "renditions").rglob("*.webp")} == made


def test_media_paths_outside_media_root_are_not_opened(media_root, tmp_path):
    Image.new("RGB", (800, 600)).save(tmp_path / "secret.png")
    html = render("![x](/media/../secret.png)").html
    assert "width" not in html and "srcset" not in html


# Reading time


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("", 0),
        ("word " * 200, 1),
        ("word " * 460, 2),
        ("読" * 800, 2),
        ("读" * 390 + " word" * 5, 1),
        ("読" * 400 + " word" * 230, 2),
    ],
)
def test_reading_time_counts_cjk_characters_and_latin_words(text, minutes):
    assert render(text).reading_minutes == minutes


# Limits


PATHOLOGICAL = {
    "list markers": "- " * 10_000 + "x",
    "brackets": "[" * 10_000,
    "closed brackets": "[" * 10_000 + "x" + "]" * 10_000,
    "quote markers": ">" * 1_000 + " x",
    "quote lines": "\n".join(">" * depth + " x" for depth in range(1, 1_001)),
    "indented lists": "\n".join("  " * depth + "- x" for depth in range(1_000)),
    "megabyte": "word " * 210_000,
    "tiny paragraphs": "a\n\n" * 20_000,
    "one dense paragraph": "[a](b) " * 20_000,
    "many table cells": "|" + "a|" * 20_000 + "\n|" + "-|" * 20_000,
    "unclosed fences": "\n".join("`" * (3 + length) + "x" for length in range(990)),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_bodies_are_rejected_and_render_as_plain_text(text):
    with pytest.raises(ValidationError) as error:
        validate_markdown(text)
    assert error.value.messages[0]

    html = render(text).html
    assert html.startswith('<pre class="unrendered" tabindex="0">') and html.endswith("</pre>")
    assert text[:20].replace(">", "&gt;") in html


def test_limit_messages_say_what_to_change():
    with pytest.raises(ValidationError) as error:
        validate_markdown("intro\n\n" + "> " * 40 + "deep")
    assert error.value.code == "too_deep"
    assert error.value.messages == ["Line 3 nests lists or quotes 40 levels deep; at most 32 are allowed."]


def test_nesting_within_the_limit_renders():
    text = "> " * 30 + "quoted\n\n" + "\n".join("    " * depth + "- item" for depth in range(8))
    validate_markdown(text)
    html = render(text).html
    assert html.count("<blockquote>") == 30 and html.count("<ul>") >= 2


@pytest.mark.django_db
def test_a_pathological_body_never_fails_a_save():
    post = make_post(body="[" * 10_000)
    assert post.body_html.startswith('<pre class="unrendered" tabindex="0">')


# Feeds


def test_feed_html_is_absolute_and_has_no_facades_or_frames():
    stored = render(
        "![p](/media/p.png) [next](/en/posts/next/) [up](../about/) [cdn](//cdn.example/x.js) note[^1]\n\n"
        '<iframe src="https://www.youtube.com/embed/MgE-e65W5oI" title="SirSLow"></iframe>\n\n'
        '<blockquote class="twitter-tweet"><p lang="en">Hello</p>&mdash; A (@a) '
        '<a href="https://twitter.com/a/status/1">May 1, 2020</a></blockquote>\n\n[^1]: n'
    ).feed_html
    html = feed_html(stored, "https://bunko.example")
    assert 'src="https://bunko.example/media/p.png"' in html
    assert 'href="https://bunko.example/en/posts/next/"' in html
    assert 'href="https://bunko.example/about/"' in html
    assert 'href="https://cdn.example/x.js"' in html
    assert 'href="#fn:1"' in html
    assert "<iframe" not in html and "data-embed-src" not in html and "class=" not in html
    assert re.search(r'<a href="https://www\.youtube\.com/watch\?v=MgE-e65W5oI"[^>]*>.*SirSLow.*</a>', html, re.S)
    assert '<a href="https://twitter.com/a/status/1" rel="noopener noreferrer">May 1, 2020</a></p></blockquote>' in html


def test_feed_html_takes_the_host_of_each_request_and_leaves_text_alone():
    stored = render(
        'See [home](/en/).\n\n    <a href="/en/">home</a>\n\n'
        'Write `src="/media/x.png"` or <abbr title=\'a href="/x"\'>this</abbr>.'
    ).feed_html
    for origin in ("http://127.0.0.1:8000", "https://essays.example.org"):
        html = feed_html(stored, origin)
        assert f'<a href="{origin}/en/" rel="noopener noreferrer">home</a>' in html
        # Code samples and attribute values only look like links: they reach the reader as written.
        assert '&lt;a href="/en/"&gt;home&lt;/a&gt;' in html
        assert '<code>src="/media/x.png"</code>' in html
        assert 'title="a href=&quot;/x&quot;"' in html
        assert html.count(origin) == 1


def test_feed_html_drops_characters_xml_cannot_carry():
    assert render("bell\x07 and escape\x1b here").feed_html == "<p>bell and escape here</p>"


# Stored HTML


@pytest.mark.django_db
def test_rerender_posts_applies_a_renderer_change_without_touching_updated_at():
    post = make_post(body="Some *text*.")
    author = make_author(bio="An *author*.")
    Post.objects.filter(pk=post.pk).update(body_html="old", feed_html="", excerpt="", renderer_release="0")
    Author.objects.filter(pk=author.pk).update(bio_html="old")
    assert list(Post.objects.stale()) == [post]

    output = io.StringIO()
    call_command("rerender_posts", stdout=output)

    refreshed = Post.objects.get(pk=post.pk)
    assert refreshed.body_html == refreshed.feed_html == "<p>Some <em>text</em>.</p>"
    assert refreshed.excerpt == "Some text."
    assert refreshed.renderer_release == rendering.RENDERER_RELEASE
    assert refreshed.updated_at == post.updated_at
    assert Author.objects.get(pk=author.pk).bio_html == "<p>An <em>author</em>.</p>"
    assert "Re-rendered 1 post(s) and 1 author biography(ies)." in output.getvalue()


# The shared Jekyll corpus


@pytest.mark.parametrize("path", CORPUS_POSTS, ids=lambda path: path.name)
def test_every_corpus_post_renders_without_leftovers(path):
    text = body_of(path)
    validate_markdown(text)
    rendered = render(text)
    for leftover in ("{%", "{{", "{:", "<script", "unrendered"):
        assert leftover not in rendered.html and leftover not in rendered.toc
    if "$$" in text:
        assert "<math" in rendered.html
    assert rendered.reading_minutes >= 1
