"""The writing room's server side: the autosave endpoint, pending drafts of published posts, the usual language."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from blog import rendering
from blog.editing import autosave
from blog.editing.forms import edit_stamp
from blog.models import PendingDraft, Post
from harness.web import submitted_form
from tests.editing.admin_requests import AUTOSAVE, edit_of, text
from tests.factories import make_author, make_post

pytestmark = pytest.mark.django_db


def test_a_new_post_becomes_a_draft_once_it_has_a_title(editor_client):
    response = editor_client.post(AUTOSAVE, text(title="", body="Untitled thoughts."))
    assert response.status_code == 400
    assert not Post.objects.exists()

    response = editor_client.post(AUTOSAVE, text(title="研究室を離れて", language="ja", body="最初の段落。"))

    assert response.status_code == 201
    post = Post.objects.get()
    assert (post.title, post.slug, post.language, post.status) == ("研究室を離れて", "研究室を離れて", "ja", "draft")
    assert response.json() == {"saved": "created", "post": post.pk, "loaded_stamp": edit_stamp(post)}
    assert Version.objects.get_for_object(post).count() == 1


def test_an_author_s_autosaved_post_carries_their_byline(client, author_user):
    profile = make_author("Writer", user=author_user)
    client.force_login(author_user)

    assert client.post(AUTOSAVE, text()).status_code == 201

    post = Post.objects.get()
    assert list(post.authors.all()) == [profile]
    assert client.get(reverse("admin:blog_post_change", args=[post.pk])).status_code == 200


def test_autosaving_a_draft_writes_it_and_returns_the_stamp_to_send_next(editor_client):
    draft = make_post(title="Notes", status=Post.Status.DRAFT, body="Old.")

    response = editor_client.post(AUTOSAVE, edit_of(draft, title="Notes", body="New **words**."))

    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.body, draft.status) == ("New **words**.", "draft")
    assert "<strong>words</strong>" in draft.body_html
    assert response.json()["loaded_stamp"] == edit_stamp(draft)
    assert not PendingDraft.objects.exists()


def test_autosave_refuses_a_draft_someone_saved_since_it_was_opened(editor_client):
    draft = make_post(title="Notes", status=Post.Status.DRAFT, body="Theirs.")
    opened = edit_stamp(draft)
    draft.body = "Someone else's newer text."
    draft.save()

    response = editor_client.post(AUTOSAVE, text(post=draft.pk, loaded_stamp=opened, body="Mine."))

    assert response.status_code == 409
    assert "after you opened it" in response.json()["error"]
    draft.refresh_from_db()
    assert draft.body == "Someone else's newer text."


def test_autosaving_a_published_post_keeps_a_pending_draft_and_never_changes_what_readers_see(editor_client, client):
    post = make_post(title="Published", body="What readers read.")
    public = Client().get(post.get_absolute_url()).content
    stored = (post.title, post.body, post.body_html, post.updated_at)

    response = editor_client.post(AUTOSAVE, edit_of(post, title="Published", body="A rewrite in progress."))

    assert response.status_code == 200
    pending = PendingDraft.objects.get(post=post)
    assert pending.body == "A rewrite in progress."
    assert response.json() == {"saved": "pending", "post": post.pk, "draft_stamp": autosave.draft_stamp_of(pending)}
    post.refresh_from_db()
    assert (post.title, post.body, post.body_html, post.updated_at) == stored
    assert post.status == Post.Status.PUBLISHED
    assert Client().get(post.get_absolute_url()).content == public

    # The writer's next autosave sends the draft's stamp and updates the same pending draft.
    again = editor_client.post(
        AUTOSAVE, edit_of(post, body="A rewrite, further.", draft_stamp=response.json()["draft_stamp"])
    )
    assert again.status_code == 200
    assert PendingDraft.objects.get(post=post).body == "A rewrite, further."


def test_a_second_editor_autosaving_the_same_published_post_is_told_and_nothing_is_lost(editor_client, editor_user):
    post = make_post(title="Published", body="Live text.")
    editor_client.post(AUTOSAVE, edit_of(post, body="First editor's draft."))
    other = User.objects.create_superuser("second", "second@example.com", "pw")
    second = Client()
    second.force_login(other)

    response = second.post(AUTOSAVE, edit_of(post, body="Second editor's draft."))

    assert response.status_code == 409
    assert "editor autosaved a pending draft" in response.json()["error"]
    assert PendingDraft.objects.get(post=post).body == "First editor's draft."


def test_autosave_is_for_staff_only_and_checks_csrf(client, editor_user):
    post = make_post(status=Post.Status.DRAFT, body="Kept.")
    assert client.post(AUTOSAVE, edit_of(post, body="Anonymous.")).status_code == 302

    reader = User.objects.create_user("reader", "reader@example.com", "pw")
    client.force_login(reader)
    assert client.post(AUTOSAVE, edit_of(post, body="Not staff.")).status_code == 302

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor_user)
    assert strict.post(AUTOSAVE, edit_of(post, body="Forged.")).status_code == 403
    assert strict.get(AUTOSAVE).status_code == 405

    post.refresh_from_db()
    assert post.body == "Kept."
    assert Post.objects.count() == 1


def test_an_author_cannot_autosave_someone_else_s_post(client, author_user):
    make_author("Writer", user=author_user)
    client.force_login(author_user)
    theirs = make_post(status=Post.Status.DRAFT, body="Not yours.")

    response = client.post(AUTOSAVE, edit_of(theirs, body="Mine now."))

    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "Not yours."


def test_autosave_never_publishes(editor_client):
    draft = make_post(title="Notes", status=Post.Status.DRAFT, body="Draft.")

    editor_client.post(AUTOSAVE, edit_of(draft, status="published", publish_at="2020-01-01 00:00"))

    draft.refresh_from_db()
    assert (draft.status, draft.publish_at) == ("draft", None)
    assert not Post.objects.published().exists()


def test_autosave_is_rate_limited_per_user(editor_client):
    draft = make_post(title="Notes", status=Post.Status.DRAFT, body="Draft.")
    for _ in range(autosave.AUTOSAVES_PER_MINUTE):
        draft.refresh_from_db()
        assert editor_client.post(AUTOSAVE, edit_of(draft, body="typing")).status_code == 200

    draft.refresh_from_db()
    response = editor_client.post(AUTOSAVE, edit_of(draft, body="One too many."))

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    draft.refresh_from_db()
    assert draft.body == "typing"


def test_autosave_refuses_a_body_over_the_size_limit_and_keeps_the_stored_text(editor_client):
    draft = make_post(title="Notes", status=Post.Status.DRAFT, body="Short.")

    response = editor_client.post(AUTOSAVE, edit_of(draft, body="x" * (rendering.MAX_BODY_BYTES + 1)))

    assert response.status_code == 413
    assert "at most" in response.json()["error"]
    draft.refresh_from_db()
    assert draft.body == "Short."


# Pending drafts on the change page: resume, compare, publish, discard.


@pytest.fixture
def pending(editor_client):
    post = make_post(title="Published", slug="published", body="Live text.")
    editor_client.post(AUTOSAVE, edit_of(post, title="Published", body="Rewritten text."))
    return PendingDraft.objects.get(post=post)


def test_the_change_page_offers_to_resume_compare_publish_or_discard_the_pending_draft(editor_client, pending):
    page = editor_client.get(reverse("admin:blog_post_change", args=[pending.post.pk])).content.decode()

    assert "Pending draft" in page
    assert "<del>Live text.</del>" in page and "<ins>Rewritten text.</ins>" in page
    assert reverse("admin:blog_post_publish_pending_draft", args=[pending.post.pk]) in page
    assert reverse("admin:blog_post_discard_pending_draft", args=[pending.post.pk]) in page


@pytest.mark.parametrize(
    ("interface", "opener", "headings", "unchanged", "changed", "added"),
    [
        ("en", "Compare with the published version", ("Title", "Summary", "Text"), "1 unchanged paragraph",
         "Changed", "Added"),
        ("ja", "公開中の版と比べる", ("タイトル", "要約", "本文"), "変更のない段落 1 個", "変更", "追加"),
        ("zh-hans", "与已发布版本比较", ("标题", "摘要", "正文"), "1 个未改动的段落", "修改", "新增"),
    ],
)  # fmt: skip
def test_the_pending_draft_is_compared_paragraph_by_paragraph_title_and_summary_too(
    editor_client, interface, opener, headings, unchanged, changed, added
):
    editor_client.cookies["django_language"] = interface
    post = make_post(title="Leaving the lab", summary="Six years.", body="First paragraph.\n\nSecond paragraph.")
    drafted = edit_of(
        post,
        title="Leaving the lab for good",
        summary="Six years, and after.",
        body="First paragraph.\n\nSecond paragraph, revised.\n\nA third one.",
    )
    editor_client.post(AUTOSAVE, drafted)

    page = editor_client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()

    assert f"<summary>{opener}</summary>" in page  # the compare opens under it
    compare = page[page.index('<div class="writing-room-diff">') :]
    for heading in headings:
        assert f"<h3>{heading}</h3>" in compare
    assert "<pre>Leaving the lab<ins> for good</ins></pre>" in compare
    assert "<pre>Six years<ins>, and after</ins>.</pre>" in compare
    assert f'<p class="diff-unchanged">{unchanged}</p>' in compare
    revised = "<pre>Second paragraph<ins>, revised</ins>.</pre>"
    assert f'<span class="diff-kind">{changed}</span>\n        {revised}' in compare
    assert f'<span class="diff-kind">{added}</span><pre><ins>A third one.</ins></pre>' in compare
    assert "@@" not in page and "+++" not in page


def test_publishing_the_pending_draft_updates_the_public_page_and_records_a_revision(editor_client, pending):
    post = pending.post

    response = editor_client.post(
        reverse("admin:blog_post_publish_pending_draft", args=[post.pk]),
        {"draft_stamp": autosave.draft_stamp_of(pending)},
    )

    assert response.status_code == 302
    assert not PendingDraft.objects.exists()
    post.refresh_from_db()
    assert post.body == "Rewritten text."
    assert "Rewritten text." in Client().get(post.get_absolute_url()).content.decode()
    assert Version.objects.get_for_object(post).first().revision.get_comment() == "Published the pending draft."


def test_a_pending_draft_of_an_older_save_is_not_published_over_a_newer_one(editor_client, pending):
    post = pending.post
    post.body = "Saved by someone since."
    post.save()

    editor_client.post(
        reverse("admin:blog_post_publish_pending_draft", args=[post.pk]),
        {"draft_stamp": autosave.draft_stamp_of(pending)},
    )

    post.refresh_from_db()
    assert post.body == "Saved by someone since."
    assert PendingDraft.objects.get().body == "Rewritten text."


def test_discarding_the_pending_draft_leaves_the_post_as_it_was(editor_client, pending):
    editor_client.post(
        reverse("admin:blog_post_discard_pending_draft", args=[pending.post.pk]),
        {"draft_stamp": autosave.draft_stamp_of(pending)},
    )

    assert not PendingDraft.objects.exists()
    pending.post.refresh_from_db()
    assert pending.post.body == "Live text."


def test_resuming_puts_the_pending_text_in_the_form_and_saving_it_spends_the_draft(editor_client, pending):
    url = reverse("admin:blog_post_change", args=[pending.post.pk])
    form = submitted_form(editor_client.get(url + "?resume_draft=1"))
    assert form["body"] == "Rewritten text."
    assert form["resume_draft"] == autosave.draft_stamp_of(pending)

    assert editor_client.post(url, {**form, "_continue": "1"}).status_code == 302

    pending.post.refresh_from_db()
    assert pending.post.body == "Rewritten text."
    assert not PendingDraft.objects.exists()


def test_saving_without_resuming_keeps_someone_s_pending_draft(editor_client, pending):
    url = reverse("admin:blog_post_change", args=[pending.post.pk])
    form = submitted_form(editor_client.get(url))
    assert form["body"] == "Live text."

    editor_client.post(url, {**form, "summary": "A new summary."})

    assert PendingDraft.objects.get().body == "Rewritten text."


def test_the_add_form_starts_in_the_author_s_usual_language(client, author_user):
    make_author("書き手", user=author_user, usual_language="ja")
    client.force_login(author_user)

    form = submitted_form(client.get(reverse("admin:blog_post_add")))

    assert form["language"] == "ja"


def test_the_writing_room_speaks_the_editor_s_language(editor_client, pending):
    page = editor_client.get(
        reverse("admin:blog_post_change", args=[pending.post.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()

    assert "保留中の下書きを公開する" in page
    assert "Ctrl/⌘+S で保存して編集を続けます。" in page
    assert "%(count)s 文字" in page  # the script's words, in its settings
