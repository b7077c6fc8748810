"""The translator's admin: creating a translation records its base, the minor-change box, the post list's
translation column and filter, the site's translation status, what changed in a source, "mark as up to date"
and the side-by-side editor."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation
from reversion.models import Version

from blog.content import paragraph_diff, translation_drift
from blog.models import Post
from harness.web import submitted_form
from tests.editing.admin_requests import admin_url, change_url
from tests.factories import (
    KYOTO_EN,
    KYOTO_JA,
    KYOTO_JA_REVISED_PARAGRAPH,
    make_author,
    make_essay_in_three_languages,
    make_post,
    make_translation,
    revise_second_paragraph,
)

pytestmark = pytest.mark.django_db


def refreshed(*posts):
    return [Post.objects.get(pk=post.pk) for post in posts]


def outdated(post):
    return Post.objects.outdated().filter(pk=post.pk).exists()


def test_create_translation_records_its_source_and_the_text_it_matches(editor_client):
    source = make_post(title="研究室を出た日", language="ja", body=KYOTO_JA)
    editor_client.post(admin_url("translate", source), {"language": "en"})
    translation = Post.objects.get(language="en")
    assert translation.translated_from == source
    assert translation.source_fingerprint == source.content_fingerprint
    assert translation.source_base == {"title": "研究室を出た日", "summary": "", "body": KYOTO_JA}
    assert not outdated(translation)


@pytest.mark.parametrize(
    ("interface", "label", "help_text", "created"),
    [
        (
            "en",
            "Translator",
            "Credited as “Translated by” after the source&#x27;s authors. Leave empty if an author translates.",
            "Created a draft translation in English. Translate the text, then save.",
        ),
        (
            "ja",
            "翻訳者",
            "原文の著者の後に「翻訳」として表示されます。著者自身が翻訳する場合は空のままにしてください。",
            "英語の翻訳の下書きを作成しました。本文を翻訳してから保存してください。",
        ),
        (
            "zh-hans",
            "译者",
            "在原文作者之后署名为“译者”。若由作者本人翻译，请留空。",
            "已创建英语译文草稿。请翻译正文后保存。",
        ),
    ],
)
def test_create_translation_credits_the_translator_chosen_after_the_sources_authors(
    editor_client, editor_user, interface, label, help_text, created
):
    editor_client.cookies["django_language"] = interface
    writer, other_translator = make_author("Haruka Mori"), make_author("Lin Wei")
    own_profile = make_author("Sam Okafor", user=editor_user)
    source = make_post(language="ja", authors=[writer], translators=[other_translator])
    response = editor_client.get(admin_url("translate", source))
    page, form = response.content.decode(), response.context["form"]
    assert f'<label for="id_translator">{label}:</label>' in page
    assert f'<div class="help" id="id_translator_helptext">{help_text}</div>' in page
    assert f'value="{own_profile.pk}" selected' in str(form["translator"])  # the current user's profile

    response = editor_client.post(admin_url("translate", source), {"language": "en", "translator": own_profile.pk})
    assert [str(message) for message in editor_client.get(response["Location"]).context["messages"]] == [created]
    translation = Post.objects.get(language="en")
    # The source's authors stay its authors; the source's own translator did not translate this version.
    assert list(translation.bylines.values_list("author__name", "role")) == [
        ("Haruka Mori", "author"), ("Sam Okafor", "translator"),
    ]  # fmt: skip
    editor_client.post(admin_url("translate", source), {"language": "zh-hans", "translator": ""})
    assert list(Post.objects.get(language="zh-hans").bylines.values_list("author__name", "role")) == [
        ("Haruka Mori", "author")
    ]


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
        Post(title=f"Essay {n}", slug=f"essay-{n}", language="en", body=f"Text {n}.",
             translation_key=source.translation_key, translated_from=source,
             source_fingerprint=source.content_fingerprint if n % 4 else "0" * 64,
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


def test_side_by_side_refuses_a_save_against_a_changed_source_and_keeps_the_translators_text(editor_client):
    original, english, _chinese = make_essay_in_three_languages()
    original.body += "\n\n## 付録\n\n研究室で使った道具の一覧です。"
    original.save()
    data = submitted_form(editor_client.get(admin_url("side_by_side", english)), form_id="side-by-side")
    data["part_3"] = "## Appendix\n\nA list of the tools I used in the lab."
    # Meanwhile the source loses a heading: it now has two parts where the translator's page showed three.
    original.body = original.body.replace("## これから\n\n", "")
    original.save()

    response = editor_client.post(admin_url("side_by_side", english), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The source changed after you opened this page" in page
    assert "A list of the tools I used in the lab." in submitted_form(response, form_id="side-by-side")["part_3"]
    (stored,) = refreshed(english)
    assert stored.body == english.body

    # Saving again, now beside the source as it is, keeps every part the translator wrote.
    again = submitted_form(response, form_id="side-by-side")
    assert editor_client.post(admin_url("side_by_side", english), again).status_code == 302
    (stored,) = refreshed(english)
    assert stored.body.endswith("## Appendix\n\nA list of the tools I used in the lab.")
    assert "## What comes next" in stored.body


@pytest.mark.parametrize(
    ("interface", "title_label", "summary_label", "changed_label"),
    [
        ("en", "Title", "Summary", "Changed since this translation's base"),
        ("ja", "タイトル", "要約", "この翻訳の元になった版から変わった部分"),
        ("zh-hans", "标题", "摘要", "自本译文所依据的版本以来有变化"),
    ],
)
def test_side_by_side_puts_title_and_summary_beside_the_sources_and_saves_them(
    editor_client, interface, title_label, summary_label, changed_label
):
    editor_client.cookies["django_language"] = interface
    original, english, _chinese = make_essay_in_three_languages()
    response = editor_client.get(admin_url("side_by_side", english))
    page = response.content.decode()
    assert '<p class="source-field" lang="ja">研究室を出た日</p>' in page
    assert '<p class="source-field" lang="ja">六年間の研究室生活の終わり。</p>' in page
    assert f'<p class="diff-kind">{title_label}</p>' in page and f'<p class="diff-kind">{summary_label}</p>' in page
    data = submitted_form(response, form_id="side-by-side")
    assert (data["title"], data["summary"]) == ("The day I left the lab", "The end of six years in a lab.")

    data.update(title="Leaving the lab", summary="How six years in a lab ended.")
    assert editor_client.post(admin_url("side_by_side", english), data).status_code == 302

    (english,) = refreshed(english)
    assert (english.title, english.summary) == ("Leaving the lab", "How six years in a lab ended.")
    assert english.body == KYOTO_EN.strip()

    original.title = "研究室を去った日"
    original.save()
    response = editor_client.get(admin_url("side_by_side", english))
    flagged = [changed for _source, _field, changed in response.context["form"].fields_beside_source]
    assert flagged == [True, False]  # the source's title changed since the translation's base, its summary did not
    page = response.content.decode()
    assert f'<p class="diff-kind">{title_label} · {changed_label}</p>' in page
    assert f'<p class="diff-kind">{summary_label}</p>' in page


@pytest.mark.parametrize(
    ("interface", "explanation"),
    [
        (
            "en",
            "The Japanese source, read-only, on the left; this translation's Markdown on the right, "
            "one part per paragraph.",
        ),
        ("ja", "左に原文（日本語、読み取り専用）、右にこの翻訳の Markdown を、段落ごとに並べています。"),
        ("zh-hans", "左侧为日语原文（只读），右侧为本译文的 Markdown，按段落逐一对照。"),
    ],
)
def test_side_by_side_cuts_an_essay_without_headings_at_its_paragraphs(editor_client, interface, explanation):
    editor_client.cookies["django_language"] = interface
    original = make_post(language="ja", title="朝", body="一つ目の段落。\n\n二つ目の段落。\n\n三つ目の段落。")
    english = make_translation(original, language="en", title="Morning", body="First paragraph.\n\nSecond paragraph.")
    response = editor_client.get(admin_url("side_by_side", english))
    assert explanation in response.content.decode()
    rows = [(source, field.value()) for source, field, _changed in response.context["form"].parts]
    assert rows == [
        ("一つ目の段落。", "First paragraph."),
        ("二つ目の段落。", "Second paragraph."),
        ("三つ目の段落。", ""),
    ]
    data = submitted_form(response, form_id="side-by-side")
    data["part_3"] = "Third paragraph."

    assert editor_client.post(admin_url("side_by_side", english), data).status_code == 302

    (english,) = refreshed(english)
    assert english.body == "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
    assert english.body_html.count("<p>") == 3


@pytest.mark.parametrize(
    ("interface", "button", "heading"),
    [("en", "Preview", "Preview of the translation"), ("ja", "プレビュー", "翻訳のプレビュー"),
     ("zh-hans", "预览", "译文预览")],
)  # fmt: skip
def test_side_by_side_previews_the_translation_as_readers_would_get_it_without_saving(
    editor_client, interface, button, heading
):
    editor_client.cookies["django_language"] = interface
    _original, english, _chinese = make_essay_in_three_languages()
    response = editor_client.get(admin_url("side_by_side", english))
    assert f'<input type="submit" name="_preview" value="{button}">' in response.content.decode()
    data = submitted_form(response, form_id="side-by-side")
    data["part_2"] = data["part_2"].replace("questions", "**questions**")

    response = editor_client.post(admin_url("side_by_side", english), {**data, "_preview": "1"})

    assert response.status_code == 200
    preview = response.context["preview"]
    assert "the way of asking <strong>questions</strong> that research taught me" in preview
    assert preview in response.content.decode()
    assert f'<h2 id="translation-preview-title">{heading}</h2>' in response.content.decode()
    assert "**questions**" in submitted_form(response, form_id="side-by-side")["part_2"]  # the text stays in the form
    (stored,) = refreshed(english)
    assert stored.body == english.body


@pytest.mark.parametrize(
    ("interface", "button", "comment", "message"),
    [
        (
            "en",
            "Save and mark up to date",
            "Translated side by side with “研究室を出た日” and marked as up to date.",
            "The translation was saved and marked as up to date.",
        ),
        (
            "ja",
            "保存して最新として記録",
            "「研究室を出た日」と並べて翻訳し、最新として記録しました。",
            "翻訳を保存し、最新として記録しました。",
        ),
        (
            "zh-hans",
            "保存并标记为最新",
            "已对照“研究室を出た日”翻译，并标记为最新。",
            "译文已保存并标记为最新。",
        ),
    ],
)
def test_side_by_side_saves_and_marks_up_to_date_in_one_step_as_one_revision(
    editor_client, client, interface, button, comment, message
):
    editor_client.cookies["django_language"] = interface
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    response = editor_client.get(admin_url("side_by_side", english))
    assert f'<input type="submit" name="_mark_up_to_date" value="{button}">' in response.content.decode()
    data = submitted_form(response, form_id="side-by-side")
    data["part_1"] = data["part_1"].replace("made me who I am", "are what hold me up today")

    response = editor_client.post(admin_url("side_by_side", english), {**data, "_mark_up_to_date": "1"})

    assert response.status_code == 302
    english, chinese = refreshed(english, chinese)
    assert "are what hold me up today" in english.body
    assert not outdated(english) and outdated(chinese)
    assert KYOTO_JA_REVISED_PARAGRAPH in english.source_base["body"]
    latest = Version.objects.get_for_object(english).select_related("revision").first()
    assert latest.revision.comment == comment
    assert latest.field_dict["source_fingerprint"] == original.content_fingerprint
    assert "are what hold me up today" in latest.field_dict["body"]
    messages = [str(message) for message in editor_client.get(response["Location"]).context["messages"]]
    assert messages == [message]
    assert "translation-outdated" not in client.get(english.get_absolute_url()).content.decode()


# The source's own pages: which of its translations are outdated, since when, with a way to bring each up to date.


@pytest.mark.parametrize(
    ("interface", "outdated_since", "up_to_date", "translate"),
    [
        ("en", "outdated since {}", "up to date", "Translate side by side"),
        ("ja", "{}から古い", "最新", "原文と並べて翻訳"),
        ("zh-hans", "自{}起过时", "最新", "对照原文翻译"),
    ],
)
def test_the_sources_change_form_says_which_translations_are_outdated_since_when_with_links_to_side_by_side(
    editor_client, interface, outdated_since, up_to_date, translate
):
    editor_client.cookies["django_language"] = interface
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    translation_drift.mark_up_to_date(Post.objects.get(pk=chinese.pk))  # the Chinese translator caught up
    (original,) = refreshed(original)

    page = editor_client.get(change_url(original)).content.decode()

    with translation.override(interface):
        since = formats.date_format(timezone.localtime(original.content_changed_at), "DATETIME_FORMAT")
    assert f'<td class="translation-state outdated">{outdated_since.format(since)}' in page
    assert f'<td class="translation-state up-to-date">{up_to_date}</td>' in page
    assert f'<a href="{admin_url("side_by_side", english)}">{translate}</a></td>' in page
    assert admin_url("side_by_side", chinese) not in page


@pytest.mark.parametrize(
    ("interface", "outdated_english"),
    [("en", "English outdated since {}"), ("ja", "英語：{}から古い"), ("zh-hans", "英语：自{}起过时")],
)
def test_the_post_list_row_of_a_source_links_each_outdated_translation_to_side_by_side(
    editor_client, interface, outdated_english
):
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    translation_drift.mark_up_to_date(Post.objects.get(pk=chinese.pk))
    (original,) = refreshed(original)

    page = editor_client.get(admin_url("changelist"), HTTP_ACCEPT_LANGUAGE=interface).content.decode()

    with translation.override(interface):
        label = outdated_english.format(formats.date_format(original.content_changed_at))
    assert f'<a href="{admin_url("side_by_side", english)}">{label}</a>' in page
    assert admin_url("side_by_side", chinese) not in page


def post_list_queries(client):
    """(how many queries the post list took, how many links to a side-by-side page it holds)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    return len(queries), response.content.decode().count("/side-by-side/")


def essay_with_outdated_translations(number):
    original = make_post(language="ja", title=f"原文 {number}", body="段落。")
    for language in ("en", "zh-hans"):
        make_translation(original, language=language, title=f"Version {number} in {language}")
    original.body = "改訂した段落。"
    original.save()


def test_the_post_lists_outdated_translations_cost_as_many_queries_for_three_essays_as_for_one(editor_client):
    """Reading each source's outdated translations row by row would be one query more per source on the page."""
    essay_with_outdated_translations(1)
    one, links = post_list_queries(editor_client)
    assert links == 2
    essay_with_outdated_translations(2)
    essay_with_outdated_translations(3)
    assert post_list_queries(editor_client) == (one, 6)
