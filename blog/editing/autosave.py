"""Autosave: the writing room sends the text a few seconds after the last keystroke, and nothing is lost.

What an autosave writes depends on what readers can see:
- no post yet: a new draft, as soon as there is a title (the page then becomes that draft's change page);
- a draft: the post itself (title, summary, body), since no reader sees it;
- a published post: its PendingDraft, never the post, so pages, feeds and caches stay as they are until the
  writer publishes the pending draft (an ordinary save, recorded as a revision) or discards it.

Every autosave passes the same edit-conflict check as Save (edit_stamp(post), plus the pending draft's own
stamp), is rate-limited per user through Django's cache, and is refused above the renderer's size limit.
Each writer's run of autosaves keeps one revision (record_autosave), so text that another writer or a later
Save replaces stays in the history, as the conflict messages promise.
"""

import time

import reversion
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.utils import formats, timezone
from django.utils.translation import gettext
from reversion.models import Version

from blog import rendering
from blog.content.control_characters import refused_in_summary, refused_in_title
from blog.content.translation_drift import text_of
from blog.editing import comparison
from blog.editing.forms import edit_stamp
from blog.models import SUMMARY_MAX_LENGTH, Author, PendingDraft, Post, post_slug

# An editor's browser autosaves at most every few seconds; this many a minute means something else is calling.
AUTOSAVES_PER_MINUTE = 30


class AutosaveForm(forms.Form):
    """The part of the post form an autosave carries; everything else is kept for the writer's Save."""

    title = forms.CharField(max_length=Post._meta.get_field("title").max_length, validators=[refused_in_title])
    summary = forms.CharField(required=False, max_length=SUMMARY_MAX_LENGTH, validators=[refused_in_summary])
    body = forms.CharField(required=False, strip=False)
    language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)
    slug = forms.CharField(max_length=Post._meta.get_field("slug").max_length, required=False)
    loaded_stamp = forms.CharField(required=False)
    draft_stamp = forms.CharField(required=False)
    minor_change = forms.BooleanField(required=False)

    def clean_body(self):
        body = self.cleaned_data["body"]
        rendering.validate_markdown(body)
        return body


class Conflict(Exception):
    """Someone else changed the post (or its pending draft) after this writer loaded it."""


def draft_stamp_of(pending):
    """The pending draft's edit stamp: when it was last autosaved, as Post.updated_at is for a save."""
    return pending.saved_at.isoformat() if pending else ""


def rate_limited(user):
    """Count this user's autosaves in the current minute; True once there were too many."""
    key = f"autosave-rate:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > AUTOSAVES_PER_MINUTE
    except ValueError:  # the key expired between add() and incr(): a new minute began
        return False


def answer_error(message, status):
    return JsonResponse({"error": message}, status=status)


def form_error_answer(form):
    errors = form.errors.as_data()
    too_large = any(error.code == "too_large" for error in errors.get("body", []))
    message = " ".join(message for field_errors in form.errors.values() for message in field_errors)
    return answer_error(message, 413 if too_large else 400)


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def check_not_saved_since(current, data):
    """The same check as Save's (PostAdminForm.check_not_changed_since_opened), answered for a script."""
    if edit_stamp(current) != data["loaded_stamp"]:
        raise Conflict(
            gettext(
                "Someone else saved this post at %(time)s, after you opened it, so your changes were not "
                "autosaved. They are still in this page: save to compare, or copy them before you reload."
            )
            % {"time": _when(current.updated_at)}
        )


def create_draft(request, data, admin):
    """A new post: a draft with the writer's byline (an author could not open it again without one)."""
    if data["title"].strip() == "":
        raise ValidationError(gettext("A post needs a title before it can be saved."))
    language = data["language"] or settings.LANGUAGE_CODE
    with transaction.atomic(), admin.create_revision(request):
        post = Post.objects.create(
            title=data["title"],
            slug=post_slug(data["slug"] or data["title"], language),
            language=language,
            summary=data["summary"],
            body=data["body"],
            status=Post.Status.DRAFT,
        )
        if not admin.has_publish_permission(request):
            admin.put_own_byline_first(request, post)
        admin.log_addition(request, post, gettext("Created by autosave."))
    return post


def autosaved_comment():
    return gettext("Autosaved.")


def record_autosave(request, admin, obj, update_fields=None):
    """Save `obj` as a revision that replaces this writer's previous autosave revision, if that is the latest.

    So history keeps one revision per writer's run of autosaves, and text another writer autosaved (which a Save
    or this autosave now replaces) is never overwritten without a revision holding it.
    """
    latest = Version.objects.get_for_object(obj).select_related("revision").first()
    if latest and latest.revision.user_id == request.user.pk and latest.revision.comment == autosaved_comment():
        latest.revision.delete()
    with admin.create_revision(request):
        obj.save(update_fields=update_fields)
        reversion.set_comment(autosaved_comment())


def save_draft(request, admin, post, data):
    """Write the text onto a post no reader sees yet, if nobody saved it since this writer loaded it.

    An autosave that changes nothing writes nothing, so the post's stamp stays what other writers loaded.
    """
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        check_not_saved_since(current, data)
        if (current.title, current.summary, current.body) != (data["title"], data["summary"], data["body"]):
            current.title, current.summary, current.body = data["title"], data["summary"], data["body"]
            record_autosave(request, admin, current, update_fields=["title", "summary", "body", "updated_at"])
    return current


def save_pending_draft(request, admin, post, data):
    """Keep the changes to a published post beside it, if neither it nor its pending draft moved meanwhile."""
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        pending = PendingDraft.objects.select_related("saved_by").filter(post=current).first()
        check_not_saved_since(current, data)
        if pending is not None and draft_stamp_of(pending) != data["draft_stamp"]:
            who = pending.saved_by.get_username() if pending.saved_by else gettext("Someone else")
            raise Conflict(
                gettext(
                    "%(user)s autosaved a pending draft of this post at %(time)s, so your changes were not "
                    "autosaved. They are still in this page. Resume or discard that draft first."
                )
                % {"user": who, "time": _when(pending.saved_at)}
            )
        pending = pending or PendingDraft(post=current, based_on=edit_stamp(current))
        keep_pending_text(request, admin, pending, data)
    return pending


def keep_pending_text(request, admin, pending, data):
    """Write title, summary, body and the minor-change choice onto `pending`, as a revision of it."""
    pending.title, pending.summary, pending.body = data["title"], data["summary"], data["body"]
    pending.minor_change = data.get("minor_change", False)
    pending.saved_by = request.user
    record_autosave(request, admin, pending)


def autosave(request, admin):
    """The endpoint's work: JSON the writing room reads (what was saved and the stamps to send next time)."""
    if rate_limited(request.user):
        response = answer_error(gettext("Too many autosaves; the next one will be tried in a minute."), 429)
        response["Retry-After"] = "60"
        return response
    form = AutosaveForm(request.POST)
    if not form.is_valid():
        return form_error_answer(form)
    data, post_id = form.cleaned_data, request.POST.get("post", "")
    if not post_id:
        if not admin.has_add_permission(request):
            return answer_error(gettext("You may not add posts."), 403)
        if not admin.has_publish_permission(request) and not Author.objects.filter(user=request.user).exists():
            return answer_error(gettext("Your account is not linked to an author profile."), 403)
        try:
            post = create_draft(request, data, admin)
        except ValidationError as error:
            return answer_error(" ".join(error.messages), 400)
        return JsonResponse({"saved": "created", "post": post.pk, "loaded_stamp": edit_stamp(post)}, status=201)
    post = admin.get_object(request, post_id)
    if post is None or not admin.has_change_permission(request, post):
        return answer_error(gettext("You may not change this post."), 403)
    try:
        if not post.is_live:
            post = save_draft(request, admin, post, data)
            return JsonResponse({"saved": "draft", "post": post.pk, "loaded_stamp": edit_stamp(post)})
        pending = save_pending_draft(request, admin, post, data)
    except Conflict as conflict:
        return answer_error(str(conflict), 409)
    return JsonResponse({"saved": "pending", "post": post.pk, "draft_stamp": draft_stamp_of(pending)})


def seen_pending_draft(post, seen_stamp):
    """The post's pending draft, locked, if its stamp is the one the editor saw; else Conflict saying why."""
    pending = PendingDraft.objects.select_for_update().filter(post=post).first()
    if pending is None:
        raise Conflict(gettext("This post has no pending draft."))
    if draft_stamp_of(pending) != seen_stamp:
        raise Conflict(
            gettext(
                "The pending draft was changed at %(time)s, after you read it, so nothing was done. "
                "Read the new changes below, then publish or discard again."
            )
            % {"time": _when(pending.saved_at)}
        )
    return pending


def publish_pending_draft(request, post, admin, *, seen_stamp, minor_change):
    """Copy the pending draft the editor read onto the post as one ordinary save (and revision).

    Raises Conflict if the draft changed since `seen_stamp` or the post was saved after it was started.
    """
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        pending = seen_pending_draft(current, seen_stamp)
        if pending.based_on != edit_stamp(current):
            raise Conflict(
                gettext(
                    "The post was saved after this draft was started, so publishing it would undo that save. "
                    "Resume the draft, compare, and save."
                )
            )
        with admin.create_revision(request):
            current.title, current.summary, current.body = pending.title, pending.summary, pending.body
            current.minor_change = minor_change
            current.save()
            admin.log_change(request, current, gettext("Published the pending draft."))
        pending.delete()


def discard_pending_draft(request, post, admin, *, seen_stamp):
    """Delete the pending draft the editor read, kept as a revision of it (restorable) first; Conflict if it changed."""
    with transaction.atomic():
        pending = seen_pending_draft(Post.objects.select_for_update().get(pk=post.pk), seen_stamp)
        with admin.create_revision(request):
            reversion.add_to_revision(pending)
            reversion.set_comment(gettext("Discarded the pending draft."))
        pending.delete()


def pending_draft_diff(post, pending):
    """The pending draft against the published text: title, summary and text, paragraph by paragraph."""
    return comparison.compared(text_of(post), text_of(pending), post.language)
