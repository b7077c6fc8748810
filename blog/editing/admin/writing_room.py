"""The writing room: PostAdmin's autosave endpoint, pending drafts and what the change form's script is told.

The admin keeps its form, permissions, history and inlines; this mixin adds the URLs and context the
writing room's static script (static/admin-writing-room/) and templates use. Without JavaScript the form
saves as before; a pending draft can still be resumed (a link), compared, published and discarded (forms).
"""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from blog.content.languages import writing_room_facts
from blog.editing import autosave
from blog.models import Author, PendingDraft

RESUME_PARAMETER = "resume_draft"


def script_texts():
    """The writing room script's words, translated here: the admin serves no JavaScript catalogue of its own."""
    return {
        "saving": gettext("Saving…"),
        "savedDraft": gettext("Saved as a draft at {time}."),
        "savedPending": gettext("Saved as a pending draft at {time}; readers still see the published version."),
        "created": gettext("Saved as a new draft. Opening it…"),
        "failed": gettext("Not saved: {error}"),
        "offline": gettext("Not saved: the server could not be reached. Your text is kept in this browser."),
        "unsaved": gettext("Unsaved changes."),
        "restoreOffer": gettext("This browser kept text newer than the saved version, from {time}."),
        "charactersOne": ngettext("%(count)s character", "%(count)s characters", 1),
        "charactersOther": ngettext("%(count)s character", "%(count)s characters", 2),
        "wordsOne": ngettext("%(count)s word", "%(count)s words", 1),
        "wordsOther": ngettext("%(count)s word", "%(count)s words", 2),
        "readingOne": ngettext("%(minutes)s minute read", "%(minutes)s minutes read", 1),
        "readingOther": ngettext("%(minutes)s minute read", "%(minutes)s minutes read", 2),
        "uploading": gettext("Uploading the image…"),
        "uploadFailed": gettext("The image was not uploaded: {error}"),
        "altRequired": gettext("Describe the image, or mark it as decorative."),
        "previewTitle": gettext("Preview as readers will see the page"),
        "tooLarge": gettext("This file is %(size)s; an image may be at most %(limit)s.").replace(
            "%(limit)s", filesizeformat(settings.BUNKO_UPLOAD_MAX_BYTES)
        ),
        "footnotePlaceholder": gettext("The note"),
        "notAnImage": gettext(
            "This file is not a JPEG, PNG, GIF or WebP image (SVG and other formats are not accepted)."
        ),
    }


def editor_tools():
    """The toolbar over the body: what each button does, its name, and its keys as aria-keyshortcuts spells them."""
    tools = [
        ("bold", gettext("Bold"), "Control+B"),
        ("italic", gettext("Italic"), "Control+I"),
        ("link", gettext("Link"), "Control+K"),
        ("heading", gettext("Heading"), "Control+Alt+1"),
        ("quote", gettext("Quote"), "Control+Shift+."),
        ("list", gettext("List"), "Control+Shift+8"),
        ("code", gettext("Code"), "Control+E"),
        ("footnote", gettext("Footnote"), "Control+Alt+F"),
        ("math", gettext("Math"), "Control+Alt+M"),
        ("image", gettext("Image"), "Control+Alt+I"),
        ("embed", gettext("Embed"), "Control+Alt+E"),
    ]
    return [
        {"action": action, "label": label, "keys": keys, "shown": keys.replace("Control", "Ctrl/⌘")}
        for action, label, keys in tools
    ]


class WritingRoom:
    """Autosave, pending drafts of published posts, the author's usual language; the script and styles."""

    @property
    def media(self):
        return super().media + forms.Media(
            js=["admin-writing-room/writing-room-images.js", "admin-writing-room/writing-room.js"],
            css={"all": ["css/admin_diff.css", "admin-writing-room/writing-room.css"]},
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("autosave/", view(require_POST(self.autosave_view)), name="blog_post_autosave"),
            path(
                "preview-frame/",
                view(xframe_options_sameorigin(require_GET(self.preview_frame_view))),
                name="blog_post_preview_frame",
            ),
            path(
                "<path:object_id>/pending-draft/publish/",
                view(require_POST(self.publish_pending_draft_view)),
                name="blog_post_publish_pending_draft",
            ),
            path(
                "<path:object_id>/pending-draft/discard/",
                view(require_POST(self.discard_pending_draft_view)),
                name="blog_post_discard_pending_draft",
            ),
        ]
        return [*own, *super().get_urls()]

    def autosave_view(self, request):
        return autosave.autosave(request, self)

    def preview_frame_view(self, request):
        """The page the preview is drawn in: the public stylesheets and script, in the essay's language."""
        language = request.GET.get("language", "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        response = render(request, "blog/preview_frame.html", {"language": language})
        # Only the writing room on this site may show it in a frame.
        response._csp_replace = {"frame-ancestors": ["'self'"]}
        return response

    def _changeable_post(self, request, object_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        return post

    def publish_pending_draft_view(self, request, object_id):
        """An editor approves the pending draft they read (its stamp comes with the form), nothing newer."""
        post = self._changeable_post(request, object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return self._act_on_seen_draft(
            request,
            post,
            lambda seen: autosave.publish_pending_draft(
                request, post, self, seen_stamp=seen, minor_change=request.POST.get("minor_change") == "on"
            ),
            gettext("The pending draft is published."),
        )

    def discard_pending_draft_view(self, request, object_id):
        post = self._changeable_post(request, object_id)
        return self._act_on_seen_draft(
            request,
            post,
            lambda seen: autosave.discard_pending_draft(request, post, self, seen_stamp=seen),
            gettext("The pending draft is discarded; its text is kept in the history for an editor to restore."),
        )

    def _act_on_seen_draft(self, request, post, act, done):
        """Run `act` with the draft stamp the form carried; a script is answered in JSON (409 on a conflict)."""
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            act(request.POST.get("draft_stamp", ""))
        except autosave.Conflict as conflict:
            if wants_json:
                return JsonResponse({"error": str(conflict)}, status=409)
            self.message_user(request, str(conflict), messages.ERROR)
        else:
            if wants_json:
                return JsonResponse({"done": done})
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:blog_post_change", post.pk)

    def get_changeform_initial_data(self, request):
        profile = Author.objects.filter(user=request.user).exclude(usual_language="").first()
        usual = {"language": profile.usual_language} if profile else {}
        return {**usual, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Saving the text of a resumed pending draft publishes it: the draft is then spent.
        resumed = request.POST.get(RESUME_PARAMETER)
        pending = PendingDraft.objects.filter(post=obj).first() if change and resumed else None
        if pending is not None and autosave.draft_stamp_of(pending) == resumed:
            pending.delete()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        pending = PendingDraft.objects.select_related("saved_by").filter(post=obj).first() if obj else None
        resumed = ""
        if pending is not None:
            context["pending_draft"] = pending
            context["pending_diff"] = autosave.pending_draft_diff(obj, pending)
            context["pending_draft_stamp"] = autosave.draft_stamp_of(pending)
            context["may_publish"] = self.has_publish_permission(request)
            form = context["adminform"].form
            if RESUME_PARAMETER in request.GET and not form.is_bound:
                form.initial.update(
                    title=pending.title, summary=pending.summary, body=pending.body, minor_change=pending.minor_change
                )
                resumed = autosave.draft_stamp_of(pending)
        context["resumed_draft"] = resumed
        context["resume_parameter"] = RESUME_PARAMETER
        context["editor_tools"] = editor_tools()
        context["writing_room"] = json.dumps(
            {
                "autosaveUrl": reverse("admin:blog_post_autosave"),
                "uploadUrl": reverse("markdownx_upload"),
                "previewFrameUrl": reverse("admin:blog_post_preview_frame"),
                "uploadMaxBytes": settings.BUNKO_UPLOAD_MAX_BYTES,
                "uploadTypes": settings.MARKDOWNX_UPLOAD_CONTENT_TYPES,
                "changeUrl": reverse("admin:blog_post_change", args=["0"]).replace("/0/", "/{post}/"),
                "post": obj.pk if obj else None,
                "draftStamp": resumed,
                "texts": script_texts(),
                # Counted as the renderer counts (blog.content.languages): the editor's figures are the page's.
                "counting": writing_room_facts(),
            },
            ensure_ascii=False,
        )
        response = super().render_change_form(request, context, add, change, form_url, obj)
        # The preview is drawn in a frame of this site's own (preview_frame_view).
        response._csp_update = {"frame-src": ["'self'"]}
        return response
