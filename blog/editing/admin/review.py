"""Review: PostAdmin's queue filter, the "scheduled" label, and an editor sending a post back with a note.

Posts move draft -> in review -> published (scheduled while publish_at is ahead). Authors set draft or in
review on their own drafts (blog.editing.admin.posts); editors approve by publishing, or send back from here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from blog.models import Post

# The admin index opens with the review queue's count for editors (Django ships admin/index.html, which an app
# template of that name could only replace if "blog" came before django.contrib.admin in INSTALLED_APPS).
admin.site.index_template = "admin/review_index.html"


def scheduled_for(post):
    """The label "Scheduled for 15 January 2027, 09:00", in the editor's language and time zone."""
    # Translators: a PHP-style date format (Django's date filter) for a scheduled post's publish time.
    moment = formats.date_format(timezone.localtime(post.publish_at), pgettext("scheduled time", "j F Y, H:i"))
    return gettext("Scheduled for %(time)s") % {"time": moment}


class PublicationStateFilter(admin.SimpleListFilter):
    """Status as editors think of it: the review queue, and scheduled apart from live."""

    title = _("status")
    parameter_name = "state"
    REVIEW = Post.Status.IN_REVIEW.value

    def lookups(self, request, model_admin):
        return [
            (Post.Status.DRAFT.value, Post.Status.DRAFT.label),
            (self.REVIEW, Post.Status.IN_REVIEW.label),
            ("scheduled", _("Scheduled")),
            (Post.Status.PUBLISHED.value, _("Published (live)")),
        ]

    def queryset(self, request, queryset):
        state = self.value()
        if state in (Post.Status.DRAFT, Post.Status.IN_REVIEW):
            return queryset.filter(status=state)
        if state == "scheduled":
            return queryset.filter(status=Post.Status.PUBLISHED, publish_at__gt=timezone.now())
        if state == Post.Status.PUBLISHED:
            return queryset.published()
        return queryset


class SendBackForm(forms.Form):
    note = forms.CharField(label=_("Note to the author"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewViews:
    """An editor sends a post in review back to draft with a note, which its change page then shows."""

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/send-back/",
                self.admin_site.admin_view(require_POST(self.send_back_view)),
                name="blog_post_send_back",
            )
        ]
        return [*own, *super().get_urls()]

    def send_back_view(self, request, object_id):
        post = self._changeable_post(request, object_id)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        form = SendBackForm(request.POST)
        if post.status != Post.Status.IN_REVIEW:
            self.message_user(request, gettext("Only a post in review can be sent back."), messages.ERROR)
        elif not form.is_valid():
            self.message_user(request, gettext("Write a note saying what the author should change."), messages.ERROR)
        else:
            with self.create_revision(request):
                post.status, post.review_note = Post.Status.DRAFT, form.cleaned_data["note"]
                post.save(update_fields=["status", "review_note", "updated_at"])
                self.log_change(request, post, gettext("Sent back to the author."))
            self.message_user(request, gettext("The post went back to its author with your note."), messages.SUCCESS)
        return redirect("admin:blog_post_change", post.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["may_send_back"] = obj.status == Post.Status.IN_REVIEW and self.has_publish_permission(request)
            context["send_back_form"] = SendBackForm()
            context["scheduled_for"] = scheduled_for(obj) if obj.is_scheduled else ""
        return super().render_change_form(request, context, add, change, form_url, obj)
