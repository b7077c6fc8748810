"""Bulk actions on the post list: publish and unpublish, for those who may publish.

Each post is saved on its own (not QuerySet.update()), so it is rendered, logged and gets a revision.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from blog.models import Post


class PublishingActions:
    """PostAdmin's "Publish" and "Unpublish" actions (its `actions` names them)."""

    @admin.action(description=_("Publish selected posts"), permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()
        drafts = list(queryset.exclude(status=Post.Status.PUBLISHED))
        for post in drafts:
            post.status = Post.Status.PUBLISHED
            post.publish_at = post.publish_at or now
            post.save(update_fields=["status", "publish_at", "updated_at"])
            self.log_change(request, post, gettext("Published."))
        count = len(drafts)
        self.message_user(
            request,
            ngettext("%(count)d post was published.", "%(count)d posts were published.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected posts (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        published = list(queryset.filter(status=Post.Status.PUBLISHED))
        for post in published:
            post.status = Post.Status.DRAFT
            post.save(update_fields=["status", "updated_at"])
            self.log_change(request, post, gettext("Unpublished."))
        count = len(published)
        self.message_user(
            request,
            ngettext("%(count)d post went back to draft.", "%(count)d posts went back to draft.", count)
            % {"count": count},
            messages.SUCCESS,
        )
