"""Huge paragraphs take no admin page down: the diff work is bounded (issue 22, "Quadratic diffs").

Production's budget is 1 s for any admin page with a 100 KB changed paragraph; these tests allow 5 s
(PAGE_SECONDS) so that a shared, slower CI machine does not fail them, while the unbounded diffs they guard
against took 14 s to several minutes. They are the only tests in the suite that time anything.
"""

import time

import pytest

from blog.content import paragraph_diff
from blog.models import PendingDraft
from tests.editing.admin_requests import AUTOSAVE, admin_url, edit_of
from tests.factories import make_essay_in_three_languages, make_post, make_translation, revise_second_paragraph

pytestmark = pytest.mark.django_db

PAGE_SECONDS = 5
WORDS = ("lab", "notebook", "failure", "question", "colleague", "desk", "March", "record", "answer", "method", "theory")


def long_paragraph(words=16_000):
    """One paragraph of `words` words in sentences of twelve: 16,000 words make about 100 KB."""
    chosen = [WORDS[(n * 7 + n // len(WORDS)) % len(WORDS)] for n in range(words)]
    return " ".join(word + ("." if n % 12 == 11 else "") for n, word in enumerate(chosen))


def revised_throughout(paragraph, every=100):
    """`paragraph` with every `every`-th word replaced: a revision touching the whole paragraph."""
    return " ".join("revised" if n % every == 0 else word for n, word in enumerate(paragraph.split(" ")))


def line_pattern(lines, distinct=101):
    """A paragraph of short lines cycling through `distinct` values: the pattern that made the old line diff crawl."""
    return "\n".join(f"line {n % distinct}" for n in range(lines))


def timed_get(client, url, warm_up):
    """The response to `url` and the seconds it took; `warm_up`, the same page for a small essay, is fetched first
    so that the time is the page's own work, not that of compiling its templates."""
    assert client.get(warm_up).status_code == 200
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


@pytest.fixture
def small():
    """The English translation of a small essay, outdated (for warming up the pages timed)."""
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    return english


@pytest.fixture
def outdated_long_essay():
    """An English essay with one 16,000-word paragraph, and its Japanese translation made before the whole
    paragraph was revised."""
    paragraph = long_paragraph()
    assert len(paragraph.encode()) > 100_000
    original = make_post(title="A long paragraph", language="en", body=f"## One part\n\n{paragraph}\n\nThe end.")
    translation = make_translation(original, language="ja", title="長い段落", body="## 一部\n\n長い。\n\n終わり。")
    original.body = original.body.replace(paragraph, revised_throughout(paragraph))
    original.save()
    return original, translation, paragraph


def test_the_translation_status_page_answers_within_the_budget(editor_client, small, outdated_long_essay):
    original, translation, _paragraph = outdated_long_essay
    url = admin_url("translation_status")
    response, seconds = timed_get(editor_client, url, warm_up=url)
    assert seconds < PAGE_SECONDS
    [row] = [row for row in response.context["rows"] if row.essay == original]
    assert [(cell.language, cell.state, cell.changes) for cell in row.cells if cell.post == translation] == [
        ("ja", "outdated", 1)
    ]


def test_the_source_changes_page_answers_within_the_budget_and_shows_the_paragraph_whole(
    editor_client, small, outdated_long_essay
):
    _original, translation, paragraph = outdated_long_essay
    url, warm_up = admin_url("source_changes", translation), admin_url("source_changes", small)
    response, seconds = timed_get(editor_client, url, warm_up)
    assert seconds < PAGE_SECONDS
    page = response.content.decode()
    assert f"<pre><del>{paragraph}</del></pre><pre><ins>{revised_throughout(paragraph)}</ins></pre>" in page


def test_side_by_side_answers_within_the_budget_and_flags_the_revised_part(editor_client, small, outdated_long_essay):
    _original, translation, paragraph = outdated_long_essay
    url, warm_up = admin_url("side_by_side", translation), admin_url("side_by_side", small)
    response, seconds = timed_get(editor_client, url, warm_up)
    assert seconds < PAGE_SECONDS
    # A source with one heading is cut at paragraphs: the heading, the revised paragraph, the last line.
    flagged = [
        revised_throughout(paragraph) in source for source, _field, changed in response.context["form"].parts if changed
    ]
    assert flagged == [True]


def test_the_pending_draft_compare_answers_within_the_budget(editor_client):
    paragraph, lines = long_paragraph(), line_pattern(6_000)
    posts = [make_post(title="Short", body="Short."), make_post(title="Long", body=f"{paragraph}\n\n{lines}")]
    drafted_lines = "\n".join(f"line {n * 3 % 101}" for n in range(6_000))
    body = f"{revised_throughout(paragraph)}\n\n{drafted_lines}"
    for post, draft in zip(posts, ["Shorter.", body], strict=True):
        assert editor_client.post(AUTOSAVE, edit_of(post, title=post.title, body=draft)).json()["saved"] == "pending"
    assert PendingDraft.objects.get(post=posts[1]).body == body

    response, seconds = timed_get(editor_client, admin_url("change", posts[1]), warm_up=admin_url("change", posts[0]))

    assert seconds < PAGE_SECONDS
    page = response.content.decode()
    assert f"<pre><del>{paragraph}</del></pre><pre><ins>{revised_throughout(paragraph)}</ins></pre>" in page
    assert f"<pre><del>{lines}</del></pre><pre><ins>{drafted_lines}</ins></pre>" in page


# What the bounded diff says about huge input is still exact.


def test_a_deletion_and_an_insertion_in_a_16000_word_paragraph_are_found_exactly():
    paragraph = long_paragraph()
    words = paragraph.split(" ")
    revised = " ".join([*words[:8_000], *words[8_003:8_100], "brand new words", *words[8_100:]])

    [block] = paragraph_diff.diff(paragraph, revised, "en")

    assert block.kind == "changed" and block.text == revised
    assert [(operation, text.strip()) for operation, text in block.segments if operation != "equal"] == [
        ("delete", " ".join(words[8_000:8_003])),
        ("insert", "brand new words"),
    ]
    assert "".join(text for operation, text in block.segments if operation != "insert") == paragraph
    assert "".join(text for operation, text in block.segments if operation != "delete") == revised


def test_a_16000_word_paragraph_revised_throughout_is_shown_whole_as_it_was_and_as_it_is():
    paragraph = long_paragraph()
    essay = f"First.\n\n{paragraph}\n\nLast."
    compared = paragraph_diff.diff(essay, essay.replace(paragraph, revised_throughout(paragraph)), "en")
    assert [(block.kind, block.before, block.text) for block in compared] == [
        ("equal", "", "First."),
        ("rewritten", paragraph, revised_throughout(paragraph)),
        ("equal", "", "Last."),
    ]
