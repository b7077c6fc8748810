"""The translator's admin: creating a translation records its base, the minor-change box, the post list's
translation column and filter, the site's translation status, what changed in a source, "mark as up to date"
and the side-by-side editor."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from blog import paragraph_diff, translation_drift
from blog.models import Post
from tests.editing.test_admin import change_url
from tests.factories import (
    KYOTO_JA,
    KYOTO_JA_REVISED_PARAGRAPH,
    make_author,
    make_essay_in_three_languages,
    make_post,
    revise_second_paragraph,
)
from tests.forms import submitted_form

pytestmark = pytest.mark.django_db


def admin_url(name, post=None):
    return reverse(f"admin:blog_post_{name}", args=[post.pk] if post else None)


def refreshed(*posts):
    return [Post.objects.get(pk=post.pk) for post in posts]


def outdated(post):
    return Post.objects.filter(translation_drift.outdated_q(), pk=post.pk).exists()


def test_create_translation_records_its_source_and_the_text_it_matches(editor_client):
    source = make_post(title="研究室を出た日", language="ja", body=KYOTO_JA)
    editor_client.post(admin_url("translate", source), {"language": "en"})
    translation = Post.objects.get(language="en")
    assert translation.translated_from == source
    assert translation.source_fingerprint == source.content_fingerprint
    assert translation.source_base == {"title": "研究室を出た日", "summary": "", "body": KYOTO_JA}
    assert not outdated(translation)


def test_the_translate_link_from_the_status_page_preselects_the_language(editor_client):
    source = make_post(language="ja")
    form = editor_client.get(admin_url("translate", source) + "?language=zh-hans").context["form"]
    assert 'value="zh-hans" selected' in str(form["language"])


def test_saving_the_original_in_the_admin_outdates_its_translations_unless_minor(editor_client):
    original, english, chinese = make_essay_in_three_languages()
    page = editor_client.get(change_url(original))
    assert 'type="checkbox" name="minor_change"' in page.content.decode()
    data = submitted_form(page)
    assert "minor_change" not in data  # unticked by default
    revised_body = data["body"].replace("今の私を作っています", "今の私を支えています")

    minor = {**data, "body": revised_body, "minor_change": "on"}
    assert editor_client.post(change_url(original), minor).status_code == 302
    assert not outdated(english) and not outdated(chinese)

    data = submitted_form(editor_client.get(change_url(original)))
    assert editor_client.post(change_url(original), {**data, "title": "研究室を去った日"}).status_code == 302
    assert outdated(english) and outdated(chinese)


def test_the_change_form_of_an_outdated_translation_links_to_what_changed(editor_client):
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    page = editor_client.get(change_url(english)).content.decode()
    assert "This translation is outdated: its Japanese source changed on" in page
    assert admin_url("source_changes", english) in page
    assert admin_url("side_by_side", english) in page


# The post list.


def test_the_post_list_shows_each_posts_translation_state_and_filters_by_it(
    editor_client, django_assert_max_num_queries
):
    original, english, chinese = make_essay_in_three_languages()
    lonely = make_post(title="Only in English", language="en")
    revise_second_paragraph(original)

    with django_assert_max_num_queries(14):
        response = editor_client.get(admin_url("changelist"))
    page = response.content.decode()
    assert page.count('class="translation-state outdated">outdated since') == 2
    assert 'class="translation-state original">original</span>' in page
    assert "missing: ja, zh-hans" in page

    def listed(state):
        return {
            post.pk
            for post in editor_client.get(admin_url("changelist"), {"translation": state}).context["cl"].result_list
        }

    assert listed("outdated") == {english.pk, chinese.pk}
    assert listed("original") == {original.pk, lonely.pk}
    assert listed("missing") == {lonely.pk}
    english.source_fingerprint = original.content_fingerprint
    english.save()
    assert listed("up-to-date") == {english.pk}


# The translation status page.


def test_the_status_page_has_a_row_per_essay_and_a_cell_per_language(editor_client):
    original, english, chinese = make_essay_in_three_languages()
    lonely = make_post(title="Only in English", language="en")
    revise_second_paragraph(original)
    chinese.source_fingerprint = original.content_fingerprint  # the Chinese translator caught up
    chinese.save()

    response = editor_client.get(admin_url("translation_status"))
    rows = {
        row.essay.pk: [(cell.language, cell.state, cell.changes) for cell in row.cells]
        for row in response.context["rows"]
    }
    assert rows == {
        original.pk: [("ja", "original", 0), ("zh-hans", "up-to-date", 0), ("en", "outdated", 1)],
        lonely.pk: [("ja", "missing", 0), ("zh-hans", "missing", 0), ("en", "original", 0)],
    }
    page = response.content.decode()
    assert admin_url("source_changes", english) in page
    assert "1 block changed" in page and "source changed" in page
    assert admin_url("translate", lonely) + "?language=ja" in page

    only_outdated = editor_client.get(admin_url("translation_status"), {"outdated": "1"})
    assert [row.essay for row in only_outdated.context["rows"]] == [original]


def test_only_editors_see_the_whole_sites_translation_status(author_client, own_author, editor_user):
    make_essay_in_three_languages(status=Post.Status.DRAFT)
    assert author_client.get(admin_url("translation_status")).status_code == 403
    assert admin_url("translation_status") not in author_client.get(admin_url("changelist")).content.decode()
    editor = Client()
    editor.force_login(editor_user)
    assert admin_url("translation_status") in editor.get(admin_url("changelist")).content.decode()


def add_essays(count, start):
    """`count` Japanese essays, every other one with an English translation, every fourth of those outdated."""
    originals = Post.objects.bulk_create(
        Post(title=f"エッセイ {n}", slug=f"essay-{n}", language="ja", body=f"本文 {n}。", translation_key=uuid.uuid4(),
             content_fingerprint=f"{n:064x}")
        for n in range(start, start + count)
    )  # fmt: skip
    Post.objects.bulk_create(
        Post(title=f"Essay {n}", slug=f"essay-{n}", language="en", body=f"Text {n}.", translation_key=source.translation_key,
             translated_from=source, source_fingerprint=source.content_fingerprint if n % 4 else "0" * 64,
             source_base={"title": source.title, "summary": "", "body": source.body})
        for n, source in enumerate(originals[::2], start=start)
    )  # fmt: skip


def status_page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url("translation_status"))
    assert response.status_code == 200
    return len(queries), response


def test_the_status_page_reads_as_many_queries_for_10_essays_as_for_10000(editor_client):
    add_essays(10, start=0)
    small, _response = status_page_queries(editor_client)
    add_essays(9_990, start=10)
    large, response = status_page_queries(editor_client)
    assert response.context["page_obj"].paginator.count == 10_000
    assert len(response.context["rows"]) == 50
    assert large == small <= 8


# What changed in the source, and marking a translation up to date.


def test_the_source_changes_page_shows_exactly_the_revised_paragraph_beside_the_translation(editor_client):
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)

    response = editor_client.get(admin_url("source_changes", english))
    body = response.context["compared"]["body"]
    assert [block.kind for block in body] == ["equal", "unchanged", "changed", "equal", "unchanged"]
    assert body[2].text == KYOTO_JA_REVISED_PARAGRAPH
    assert [block.kind for block in response.context["compared"]["title"]] == ["unchanged"]
    page = response.content.decode()
    assert "その失敗<ins>こそ</ins>が今の私を<del>作っ</del><ins>支え</ins>ています" in page
    assert "Still, those failures made me who I am." in page  # the translation's own Markdown beside it
    assert "Mark as up to date" in page


# A paragraph the author rewrote rather than edited: old and new share only a few common characters.
KYOTO_JA_REWRITTEN_PARAGRAPH = "転職して気づいたのは、研究室で覚えた段取りの力がどの職場でも役に立つということでした。"


@pytest.mark.parametrize(("interface", "label"), [("en", "Rewritten"), ("ja", "書き直し"), ("zh-hans", "重写")])
def test_a_largely_rewritten_paragraph_is_shown_whole_as_it_was_and_as_it_is(editor_client, interface, label):
    original, english, _chinese = make_essay_in_three_languages()
    before = KYOTO_JA.split("\n\n")[2].strip()
    original.body = original.body.replace(before, KYOTO_JA_REWRITTEN_PARAGRAPH)
    original.save()

    page = editor_client.get(admin_url("source_changes", english), HTTP_ACCEPT_LANGUAGE=interface).content.decode()

    rewritten = f"<pre><del>{before}</del></pre><pre><ins>{KYOTO_JA_REWRITTEN_PARAGRAPH}</ins></pre>"
    assert f'<span class="diff-kind">{label}</span>\n        {rewritten}' in page
    assert page.count("<ins>") == 1 and page.count("<del>") == 1  # no edit interleaved in either text


def test_a_paragraph_inserted_before_an_edited_one_is_added_and_the_edit_stays_small(editor_client):
    original, english, _chinese = make_essay_in_three_languages()
    inserted = "鍵を返す前に、六年分の写真を一枚ずつ見返しました。"
    revise_second_paragraph(original)
    original.body = original.body.replace(KYOTO_JA_REVISED_PARAGRAPH, f"{inserted}\n\n{KYOTO_JA_REVISED_PARAGRAPH}")
    original.save()

    response = editor_client.get(admin_url("source_changes", english))

    body = response.context["compared"]["body"]
    assert [block.kind for block in body] == ["equal", "unchanged", "added", "changed", "equal", "unchanged"]
    page = response.content.decode()
    assert f'<span class="diff-kind">Added</span><pre><ins>{inserted}</ins></pre>' in page
    assert "その失敗<ins>こそ</ins>が今の私を<del>作っ</del><ins>支え</ins>ています" in page
    assert f"<ins>{KYOTO_JA_REVISED_PARAGRAPH}</ins>" not in page  # the edited paragraph is not "added"


def test_the_source_changes_page_reads_its_comparison_back_from_the_cache(editor_client, monkeypatch):
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    first = editor_client.get(admin_url("source_changes", english)).content.decode()

    def no_diff(*args):
        raise AssertionError("the comparison was computed again")

    monkeypatch.setattr(paragraph_diff, "diff", no_diff)
    again = editor_client.get(admin_url("source_changes", english)).content.decode()

    assert "その失敗<ins>こそ</ins>が今の私を<del>作っ</del><ins>支え</ins>ています" in again
    assert again.count("<ins>") == first.count("<ins>")


def test_mark_as_up_to_date_records_the_new_base_as_a_revision_and_clears_the_readers_notice(editor_client, client):
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    assert "translation-outdated" in client.get(english.get_absolute_url()).content.decode()

    response = editor_client.post(admin_url("source_changes", english))

    assert response.status_code == 302
    english, chinese = refreshed(english, chinese)
    assert not outdated(english) and outdated(chinese)
    assert KYOTO_JA_REVISED_PARAGRAPH in english.source_base["body"]
    latest = Version.objects.get_for_object(english).select_related("revision").first()
    assert latest.revision.comment == "Marked as up to date with “研究室を出た日”."
    assert latest.field_dict["source_fingerprint"] == original.content_fingerprint
    assert "translation-outdated" not in client.get(english.get_absolute_url()).content.decode()
    assert "Mark as up to date" not in editor_client.get(admin_url("source_changes", english)).content.decode()


def test_an_author_cannot_mark_someone_elses_translation_up_to_date(author_client, own_author):
    original, english, _chinese = make_essay_in_three_languages(authors=[make_author()])
    revise_second_paragraph(original)
    assert author_client.get(admin_url("source_changes", english)).status_code == 403
    assert author_client.post(admin_url("source_changes", english)).status_code == 403
    assert outdated(english)


def test_an_original_has_no_source_changes_page(editor_client):
    original, _english, _chinese = make_essay_in_three_languages()
    response = editor_client.get(admin_url("source_changes", original))
    assert response["Location"] == change_url(original)


# Side by side.


def test_side_by_side_aligns_the_sources_parts_with_the_translations_by_heading(editor_client):
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    form = editor_client.get(admin_url("side_by_side", english)).context["form"]
    rows = [(source.splitlines()[0], field.value().splitlines()[0], changed) for source, field, changed in form.parts]
    assert rows == [
        ("## 研究室を出た日", "## The day I left the lab", True),  # the revised paragraph is in this part
        ("## これから", "## What comes next", False),
    ]


def test_side_by_side_saves_the_translation_part_by_part_as_a_revision(editor_client):
    _original, english, _chinese = make_essay_in_three_languages()
    data = submitted_form(editor_client.get(admin_url("side_by_side", english)), form_id="side-by-side")
    data["part_1"] = data["part_1"].replace("made me who I am", "are what hold me up today")

    response = editor_client.post(admin_url("side_by_side", english), data)

    assert response.status_code == 302
    (english,) = refreshed(english)
    assert "Still, those failures are what hold me up today.\n\n## What comes next\n" in english.body
    assert english.body.endswith("research taught me.")
    assert "are what hold me up today" in english.body_html
    assert Version.objects.get_for_object(english).first().field_dict["body"] == english.body


def test_side_by_side_refuses_a_copy_older_than_the_stored_translation(editor_client):
    _original, english, _chinese = make_essay_in_three_languages()
    data = submitted_form(editor_client.get(admin_url("side_by_side", english)), form_id="side-by-side")
    english.title = "Leaving the lab"
    english.save()

    response = editor_client.post(admin_url("side_by_side", english), {**data, "part_1": "Overwritten."})

    assert response.status_code == 200
    assert "Someone changed this translation after you opened it" in response.content.decode()
    (english,) = refreshed(english)
    assert "Overwritten." not in english.body


def test_side_by_side_refuses_markdown_the_renderer_rejects(editor_client):
    _original, english, _chinese = make_essay_in_three_languages()
    data = submitted_form(editor_client.get(admin_url("side_by_side", english)), form_id="side-by-side")
    response = editor_client.post(admin_url("side_by_side", english), {**data, "part_2": "x" * 2_000_000})
    assert response.status_code == 200
    (stored,) = refreshed(english)
    assert stored.body == english.body
