"""Translations know what they were made from and fall behind visibly when their source's text changes."""

import pytest

from blog.content import paragraph_diff, translation_drift
from blog.content.translation_drift import DriftState
from blog.models import Post
from tests.factories import (
    KYOTO_JA_REVISED_PARAGRAPH,
    make_essay_in_three_languages,
    make_post,
    revise_second_paragraph,
)

pytestmark = pytest.mark.django_db


def states(*posts):
    rows = translation_drift.with_states(Post.objects.filter(pk__in=[post.pk for post in posts]))
    found = {row.pk: row.drift_against(row.source_now) for row in rows}
    return [found[post.pk] for post in posts]


def test_new_translations_are_up_to_date_and_the_original_is_the_original():
    original, english, chinese = make_essay_in_three_languages()
    assert states(original, english, chinese) == [DriftState.ORIGINAL, DriftState.UP_TO_DATE, DriftState.UP_TO_DATE]
    assert english.translated_from == original and chinese.translated_from == original
    assert english.source_base["body"] == original.body


def test_revising_one_paragraph_of_the_original_makes_both_translations_outdated():
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    assert states(original, english, chinese) == [DriftState.ORIGINAL, DriftState.OUTDATED, DriftState.OUTDATED]
    assert set(Post.objects.outdated()) == {english, chinese}
    original.refresh_from_db()
    assert original.content_changed_at > english.source_synced_at


def test_a_minor_change_flags_nothing_and_moves_the_translations_base():
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original, minor=True)
    assert states(english, chinese) == [DriftState.UP_TO_DATE, DriftState.UP_TO_DATE]
    english.refresh_from_db()
    assert KYOTO_JA_REVISED_PARAGRAPH in english.source_base["body"]


def test_a_minor_change_leaves_an_already_outdated_translation_outdated():
    original, english, _chinese = make_essay_in_three_languages()
    original.title = "研究室を去った日"
    original.save()
    revise_second_paragraph(original, minor=True)
    assert states(english) == [DriftState.OUTDATED]


def test_changes_outside_title_summary_and_text_flag_nothing():
    original, english, _chinese = make_essay_in_three_languages()
    original.cover_alt = "研究室の机"
    original.status = Post.Status.DRAFT
    original.save()
    assert states(english) == [DriftState.UP_TO_DATE]


def test_line_ends_and_surrounding_blank_space_are_not_drift():
    original, english, _chinese = make_essay_in_three_languages()
    original.body = original.body.replace("\n", "\r\n") + "\r\n\r\n"
    original.save()
    assert states(english) == [DriftState.UP_TO_DATE]


def test_changing_the_summary_or_title_is_drift_too():
    original, english, chinese = make_essay_in_three_languages()
    original.summary = "六年間の研究室生活の終わりと、これから。"
    original.save(update_fields=["summary"])
    assert states(english, chinese) == [DriftState.OUTDATED, DriftState.OUTDATED]


def test_essays_missing_a_language_are_found():
    make_essay_in_three_languages()
    lonely = make_post(language="en")
    missing = Post.objects.filter(translation_drift.missing_language_q(Post))
    assert list(missing) == [lonely]
    assert translation_drift.missing_languages(translation_drift.with_states(Post.objects.filter(pk=lonely.pk))[0]) == [
        "ja",
        "zh-hans",
    ]


def test_deleting_the_source_leaves_the_translation_standing_as_an_original():
    original, english, _chinese = make_essay_in_three_languages()
    original.delete()
    assert states(english) == [DriftState.ORIGINAL]


# The paragraph diff.


def test_the_diff_shows_exactly_the_revised_paragraph_character_by_character_in_japanese():
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    compared = paragraph_diff.diff(english.source_base["body"], original.body, "ja")
    changed = [block for block in compared if block.kind != "equal"]
    assert len(changed) == 1 and changed[0].kind == "changed"
    assert changed[0].text == KYOTO_JA_REVISED_PARAGRAPH
    assert [segment for segment in changed[0].segments if segment[0] != "equal"] == [
        ("insert", "こそ"),
        ("delete", "作っ"),
        ("insert", "支え"),
    ]
    assert paragraph_diff.changed_count(english.source_base["body"], original.body) == 1


def test_english_paragraphs_are_compared_word_by_word():
    segments = paragraph_diff.inline_diff("Those failures made me who I am.", "Those failures shaped who I am.", "en")
    assert [segment for segment in segments if segment[0] != "equal"] == [("delete", "made me"), ("insert", "shaped")]


def test_added_removed_and_changed_headings_are_told_apart():
    old = "## One\n\nFirst.\n\n## Two\n\nSecond.\n"
    new = "## One, revised\n\nFirst.\n\nSecond.\n\n## Three\n\nThird.\n"
    kinds = [(block.kind, block.heading) for block in paragraph_diff.diff(old, new, "en")]
    assert kinds == [
        ("changed", True),
        ("equal", False),
        ("removed", True),
        ("equal", False),
        ("added", True),
        ("added", False),
    ]


def test_a_fenced_code_block_with_blank_lines_is_one_block():
    text = "Intro.\n\n```python\nx = 1\n\n# not a heading\ny = 2\n```\n\nEnd.\n"
    assert paragraph_diff.blocks(text) == ["Intro.", "```python\nx = 1\n\n# not a heading\ny = 2\n```", "End."]


def test_sections_cut_before_headings_and_join_back_to_the_same_text():
    parts = paragraph_diff.sections(make_essay_in_three_languages()[0].body)
    assert [part.splitlines()[0] for part in parts] == ["## 研究室を出た日", "## これから"]
    assert paragraph_diff.joined(parts) == "".join(parts)
    assert paragraph_diff.joined(["## A\r\ntext", "", "## B\nmore"]) == "## A\ntext\n\n## B\nmore"


def test_the_queryset_and_each_post_apply_one_outdated_rule():
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    chinese.refresh_from_db()
    translation_drift.mark_up_to_date(chinese)
    for post in Post.objects.select_related("translated_from"):
        source = post.translated_from
        by_post = post.drift_against(source.content_fingerprint if source else None) == DriftState.OUTDATED
        assert by_post == Post.objects.outdated().filter(pk=post.pk).exists(), post.language
    assert list(Post.objects.outdated()) == [english] and set(Post.objects.up_to_date()) == {chinese}
    assert english.outdated_source_among([original, english, chinese]) == original
    assert chinese.outdated_source_among([original, english, chinese]) is None
