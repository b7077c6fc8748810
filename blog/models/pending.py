"""The pending draft: what autosave keeps of a published post's changes until the writer publishes or discards them.

Only the editing side reads it (and the exporter, so a backup keeps it); the content model never does, and
readers never see it.
"""

import reversion
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from blog.content.control_characters import refused_in_summary, refused_in_title
from blog.models.content import SUMMARY_MAX_LENGTH, Post


@reversion.register()
class PendingDraft(models.Model):
    """Autosaved changes to a published post, kept apart from it so readers never see them.

    One per post, shared by its editors: `saved_at` is what an autosave compares, as `Post.updated_at` is for a
    save. Publishing copies the text onto the post through an ordinary save (a revision); discarding deletes it.
    Its own table, not a revision of the post: reverting to a revision would rewrite the live row, and autosaves
    would bury the history readers' versions are restored from. Registered with django-reversion on its own, so
    text a writer replaces or an editor discards stays recoverable (Version.objects.get_deleted(PendingDraft)).
    """

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="pending_draft")
    title = models.CharField(_("title"), max_length=300, validators=[refused_in_title])
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX_LENGTH, blank=True, validators=[refused_in_summary])
    body = models.TextField(_("body"), blank=True)
    # Ticked by the writer for a typo fix: publishing it then leaves the post's translations up to date.
    minor_change = models.BooleanField(_("minor change"), default=False)
    # edit_stamp(post) when the writer started this draft: publishing refuses a draft of an older post.
    based_on = models.CharField(max_length=40, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("pending draft")
        verbose_name_plural = _("pending drafts")

    def __str__(self):
        return self.title
