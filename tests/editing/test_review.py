"""Editorial trust: draft -> in review -> published, what an author may do to a live essay, approving what was seen,
every replaced text kept, the minor change on the pending path, no-change saves, scheduled posts called so."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from blog.editing import autosave
from blog.editing.forms import edit_stamp
from blog.models import Author, PendingDraft, Post
from harness.web import submitted_form
from tests.factories import make_post, make_translation

pytestmark = pytest.mark.django_db

AUTOSAVE = reverse("admin:blog_post_autosave")
CHANGELIST = reverse("admin:blog_post_changelist")


def change_url(post):
    return reverse("admin:blog_post_change", args=[post.pk])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def reader_sees(post):
    response = Client().get(post.get_absolute_url())
    return response.content.decode() if response.status_code == 200 else None


def publish_pending(client, post, draft_stamp, *, follow=False, **data):
    return client.post(
        reverse("admin:blog_post_publish_pending_draft", args=[post.pk]),
        {"draft_stamp": draft_stamp, **data},
        follow=follow,
    )


def autosave_edit(client, post, **fields):
    data = {"post": str(post.pk), "loaded_stamp": edit_stamp(post), "language": "en", "summary": "", **fields}
    return client.post(AUTOSAVE, data)


# Review: submit, the queue, approve or send back.


def test_an_author_submits_a_draft_for_review_and_editors_see_it_queued_but_readers_do_not(
    author_client, own_author, editor_user
):
    mine = make_post(title="For review", authors=[own_author], status=Post.Status.DRAFT)
    form = submitted_form(author_client.get(change_url(mine)))

    assert author_client.post(change_url(mine), {**form, "status": "review"}).status_code == 302

    mine.refresh_from_db()
    assert mine.status == Post.Status.IN_REVIEW
    assert not Post.objects.published().exists()
    assert reader_sees(mine) is None
    editor = logged_in(editor_user)
    assert "1 post is waiting for review" in editor.get(reverse("admin:index")).content.decode()
    queue = editor.get(CHANGELIST + "?state=review").content.decode()
    assert "For review" in queue and "In review" in queue
    assert "waiting for review" not in author_client.get(reverse("admin:index")).content.decode()


def test_an_editor_approves_a_post_in_review_by_scheduling_it_and_is_told_when(editor_client, own_author):
    post = make_post(title="Queued", authors=[own_author], status=Post.Status.IN_REVIEW)
    form = submitted_form(editor_client.get(change_url(post)))

    response = editor_client.post(
        change_url(post),
        {**form, "status": "published", "publish_at_0": "2027-01-15", "publish_at_1": "09:00:00"},
        follow=True,
    )

    post.refresh_from_db()
    assert post.publish_at == datetime.datetime(2027, 1, 15, 9, tzinfo=timezone.get_current_timezone())
    assert "Scheduled for 15 January 2027, 09:00" in response.content.decode()
    assert reader_sees(post) is None
    listing = editor_client.get(CHANGELIST).content.decode()
    assert "Scheduled for 15 January 2027, 09:00" in listing
    assert "Queued" in editor_client.get(CHANGELIST + "?state=scheduled").content.decode()
    assert "Queued" not in editor_client.get(CHANGELIST + "?state=published").content.decode()
    assert "Scheduled for 15 January 2027, 09:00" in editor_client.get(change_url(post)).content.decode()
    japanese = editor_client.get(change_url(post), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "2027年1月15日 09:00" in japanese


def test_an_editor_sends_a_post_back_with_a_note_the_author_then_reads(editor_user, author_client, own_author):
    post = make_post(title="Needs work", authors=[own_author], status=Post.Status.IN_REVIEW)
    editor = logged_in(editor_user)

    response = editor.post(reverse("admin:blog_post_send_back", args=[post.pk]), {"note": "Cite the survey."})

    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.status, post.review_note) == (Post.Status.DRAFT, "Cite the survey.")
    assert "Cite the survey." in author_client.get(change_url(post)).content.decode()


def test_an_author_cannot_send_back_or_publish_through_the_endpoints_or_bulk_actions(author_client, own_author):
    post = make_post(title="Mine in review", authors=[own_author], status=Post.Status.IN_REVIEW)

    assert author_client.post(reverse("admin:blog_post_send_back", args=[post.pk]), {"note": "x"}).status_code == 403
    author_client.post(CHANGELIST, {"action": "publish", "_selected_action": [post.pk]})

    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    assert not Post.objects.published().exists()


def test_the_publish_action_approves_posts_in_review(editor_client):
    post = make_post(status=Post.Status.IN_REVIEW)

    editor_client.post(CHANGELIST, {"action": "publish", "_selected_action": [post.pk]})

    assert list(Post.objects.published()) == [post]


# What an author may do to a live essay.


@pytest.mark.parametrize("status_code", ["published", "scheduled"])
def test_an_author_cannot_move_the_publish_time_of_a_live_or_scheduled_essay(author_client, own_author, status_code):
    hour = timezone.timedelta(hours=1)
    when = timezone.now() - hour if status_code == "published" else timezone.now() + 30 * 24 * hour
    post = make_post(authors=[own_author], publish_at=when)
    form = submitted_form(author_client.get(change_url(post)))
    assert "status" not in form and "publish_at_0" not in form  # shown read-only

    moved = "2030-01-01" if status_code == "published" else (timezone.localdate() - timezone.timedelta(days=7))
    moved_form = {**form, "status": "draft", "publish_at_0": str(moved), "publish_at_1": "00:00"}
    author_client.post(change_url(post), moved_form)

    post.refresh_from_db()
    assert (post.status, post.publish_at) == (Post.Status.PUBLISHED, when)


def test_an_author_s_save_of_a_live_essay_waits_for_an_editor_and_readers_keep_the_approved_text(
    author_client, own_author, editor_user
):
    post = make_post(title="Live", body="Approved text.", authors=[own_author])
    form = submitted_form(author_client.get(change_url(post)))

    response = author_client.post(change_url(post), {**form, "body": "Unreviewed text."}, follow=True)

    assert "pending draft for an editor to approve" in response.content.decode()
    assert "Approved text." in reader_sees(post)
    post.refresh_from_db()
    assert post.body == "Approved text."
    pending = PendingDraft.objects.get(post=post)
    assert pending.body == "Unreviewed text."
    assert publish_pending(author_client, post, autosave.draft_stamp_of(pending)).status_code == 403
    assert "Approved text." in reader_sees(post)

    assert publish_pending(logged_in(editor_user), post, autosave.draft_stamp_of(pending)).status_code == 302
    assert "Unreviewed text." in reader_sees(post)


def test_an_author_cannot_restore_an_old_revision_of_a_live_essay(editor_client, author_user, own_author):
    post = make_post(title="Live", body="First text.", authors=[own_author])
    form = submitted_form(editor_client.get(change_url(post)))
    editor_client.post(change_url(post), {**form, "body": "Second text."})
    editor_client.post(change_url(post), {**submitted_form(editor_client.get(change_url(post))), "body": "Third."})
    oldest = Version.objects.get_for_object(post).order_by("pk").first()
    author = logged_in(author_user)
    revision_url = reverse("admin:blog_post_revision", args=[post.pk, oldest.pk])

    author.post(revision_url, submitted_form(editor_client.get(revision_url)))

    post.refresh_from_db()
    assert post.body == "Third."


def test_an_author_cannot_save_a_live_translation_side_by_side(editor_client, author_user):
    own = Author.objects.create(name="Translator", user=author_user)
    original = make_post(title="Original", body="## One\n\nText.", authors=[own])
    translation = make_translation(original, language="ja", authors=[own], body="## 一\n\n本文。")

    response = logged_in(author_user).post(
        reverse("admin:blog_post_side_by_side", args=[translation.pk]),
        {"loaded_stamp": edit_stamp(translation), "part_1": "## 一\n\n書き換え。"},
        follow=True,
    )

    assert "wait for an editor" in response.content.decode()
    translation.refresh_from_db()
    assert translation.body == "## 一\n\n本文。"


# Approve what was seen.


@pytest.fixture
def live_with_pending(author_user, own_author):
    post = make_post(title="Live", body="Approved text.", authors=[own_author])
    author = logged_in(author_user)
    autosave_edit(author, post, title="Live", body="Text the editor read.")
    return post, author


def test_publishing_a_draft_changed_after_the_editor_read_it_is_refused_and_shows_the_new_changes(
    editor_client, live_with_pending
):
    post, author = live_with_pending
    seen = autosave.draft_stamp_of(PendingDraft.objects.get())
    answer = autosave_edit(author, post, title="Live", body="Unread text.", draft_stamp=seen)
    assert answer.status_code == 200

    page = publish_pending(editor_client, post, seen, follow=True).content.decode()

    assert "after you read it" in page
    assert re.search(r"<ins>[^<]*Unread text\.", page)  # the new diff, against the published text
    assert "Approved text." in reader_sees(post)
    scripted = editor_client.post(
        reverse("admin:blog_post_publish_pending_draft", args=[post.pk]),
        {"draft_stamp": seen},
        HTTP_ACCEPT="application/json",
    )
    assert scripted.status_code == 409
    assert "after you read it" in scripted.json()["error"]
    assert "Approved text." in reader_sees(post)


def test_discarding_a_draft_changed_after_the_editor_read_it_is_refused(editor_client, live_with_pending):
    post, author = live_with_pending
    seen = autosave.draft_stamp_of(PendingDraft.objects.get())
    autosave_edit(author, post, title="Live", body="Unread text.", draft_stamp=seen)

    response = editor_client.post(
        reverse("admin:blog_post_discard_pending_draft", args=[post.pk]),
        {"draft_stamp": seen},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 409
    assert PendingDraft.objects.get().body == "Unread text."


def test_a_discarded_draft_stays_restorable(editor_client, live_with_pending):
    post, _author = live_with_pending
    seen = autosave.draft_stamp_of(PendingDraft.objects.get())

    editor_client.post(reverse("admin:blog_post_discard_pending_draft", args=[post.pk]), {"draft_stamp": seen})

    assert not PendingDraft.objects.exists()
    kept = Version.objects.get_deleted(PendingDraft).get()
    assert kept.field_dict["body"] == "Text the editor read."
    assert kept.revision.get_comment() == "Discarded the pending draft."
    kept.revision.revert()
    assert PendingDraft.objects.get(post=post).body == "Text the editor read."


# Every overwritten text is recoverable.


def texts_in_history(post):
    return [version.field_dict["body"] for version in Version.objects.get_for_object(post)]


def test_an_autosave_over_another_writer_s_autosaved_draft_keeps_that_text_in_the_history(
    editor_user, author_user, own_author
):
    post = make_post(authors=[own_author], status=Post.Status.DRAFT, body="Start.")
    author, editor = logged_in(author_user), logged_in(editor_user)
    assert autosave_edit(author, post, title="Draft", body="The author's words.").status_code == 200
    post.refresh_from_db()

    assert autosave_edit(editor, post, title="Draft", body="The editor's words.").status_code == 200

    assert "The author's words." in texts_in_history(post)


def test_a_writer_s_run_of_autosaves_keeps_one_revision(author_client, own_author):
    post = make_post(authors=[own_author], status=Post.Status.DRAFT, body="Start.")
    for body in ("One.", "One. Two.", "One. Two. Three."):
        autosave_edit(author_client, post, title="Draft", body=body)
        post.refresh_from_db()

    assert texts_in_history(post) == ["One. Two. Three."]


def test_save_again_to_replace_keeps_the_replaced_autosaved_text_in_the_history(editor_client, author_user, own_author):
    post = make_post(authors=[own_author], status=Post.Status.DRAFT, body="Start.")
    form = submitted_form(editor_client.get(change_url(post)))
    autosaved = autosave_edit(logged_in(author_user), post, title=post.title, body="Autosaved by the author.")
    assert autosaved.status_code == 200

    refused = editor_client.post(change_url(post), {**form, "body": "The editor's text."})
    assert refused.status_code == 200
    assert editor_client.post(change_url(post), submitted_form(refused)).status_code == 302

    post.refresh_from_db()
    assert post.body == "The editor's text."
    assert "Autosaved by the author." in texts_in_history(post)


def test_a_pending_draft_replaced_by_another_writer_stays_in_its_history(editor_user, live_with_pending):
    post, _author = live_with_pending
    seen = autosave.draft_stamp_of(PendingDraft.objects.get())

    autosave_edit(logged_in(editor_user), post, title="Live", body="The editor's rewrite.", draft_stamp=seen)

    pending = PendingDraft.objects.get()
    assert pending.body == "The editor's rewrite."
    bodies = [version.field_dict["body"] for version in Version.objects.get_for_object(pending)]
    assert "Text the editor read." in bodies


# The minor change travels with the pending draft.


def test_the_minor_change_is_kept_with_the_pending_draft_and_published_with_it(editor_client):
    original = make_post(title="Original", body="A typo hre.")
    translation = make_translation(original, language="ja", body="誤字。")
    autosave_edit(editor_client, original, title="Original", body="A typo here.", minor_change="on")
    pending = PendingDraft.objects.get()
    assert pending.minor_change

    resumed = submitted_form(editor_client.get(change_url(original) + "?resume_draft=1"))
    assert resumed["minor_change"] == "on"
    page = editor_client.get(change_url(original)).content.decode()
    assert 'name="minor_change" id="pending-minor-change" checked' in page

    publish_pending(editor_client, original, autosave.draft_stamp_of(pending), minor_change="on")

    original.refresh_from_db()
    translation.refresh_from_db()
    assert original.body == "A typo here."
    assert translation.drift_against(original.content_fingerprint) == "up-to-date"


# No-change saves.


def test_a_save_without_changes_makes_no_revision_and_keeps_the_stamp(editor_client, editor_user):
    post = make_post(body="Unchanged.")
    form = submitted_form(editor_client.get(change_url(post)))
    editor_client.post(change_url(post), {**form, "body": "Changed once."})
    post.refresh_from_db()
    revisions, loaded = Version.objects.get_for_object(post).count(), edit_stamp(post)
    form = submitted_form(editor_client.get(change_url(post)))

    assert editor_client.post(change_url(post), form).status_code == 302

    post.refresh_from_db()
    assert (Version.objects.get_for_object(post).count(), edit_stamp(post)) == (revisions, loaded)
    other = logged_in(User.objects.create_user("other", is_staff=True, is_superuser=True))
    assert other.post(change_url(post), {**form, "body": "Another editor's edit."}).status_code == 302


def test_an_autosave_without_changes_leaves_the_stamp_alone(editor_client):
    post = make_post(status=Post.Status.DRAFT, title="Same", body="Same.")

    answer = autosave_edit(editor_client, post, title="Same", body="Same.")

    assert answer.json()["loaded_stamp"] == edit_stamp(post)
    assert not Version.objects.get_for_object(post).exists()


# Making writers.


@pytest.mark.parametrize(("role", "may_publish"), [("author", False), ("editor", True)])
def test_create_writer_makes_a_login_with_its_role_and_author_profile(role, may_publish):
    call_command("create_writer", "hanako", "--role", role, "--name", "佐藤花子", "--password", "pw-hanako-1")

    user = User.objects.get(username="hanako")
    assert user.is_staff and user.check_password("pw-hanako-1")
    assert user.has_perm("blog.publish_post") is may_publish
    assert user.author_profile.name == "佐藤花子"
    assert logged_in(user).get(reverse("admin:blog_post_add")).status_code == 200
