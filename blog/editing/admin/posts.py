"""PostAdmin: roles, the list, previews of what readers cannot open yet, and revisions.

Its bulk actions (blog.editing.admin.actions), translation views (blog.editing.admin.translations) and
writing room (blog.editing.admin.writing_room: autosave, pending drafts) are mixins of their own, so each
part of the editor's product can grow without the others.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from blog.caching import changes_together
from blog.editing import autosave
from blog.editing.admin.actions import PublishingActions
from blog.editing.admin.base import LABELLED_DATE_TIME, MARKDOWN_EDITOR, HttpsURLMixin
from blog.editing.admin.inlines import BylineInline, RelatedLinkInline, RelatedPostInline
from blog.editing.admin.review import PublicationStateFilter, ReviewViews, scheduled_for
from blog.editing.admin.translations import TranslationStateFilter, TranslationViews
from blog.editing.admin.writing_room import WritingRoom
from blog.editing.forms import PostAdminForm
from blog.editing.preview import preview_url
from blog.models import Author, PendingDraft, Post, PostAuthor

# What an author may set a post's status to: write it, or hand it to an editor for review.
AUTHOR_STATUSES = [Post.Status.DRAFT, Post.Status.IN_REVIEW]


@admin.register(Post)
class PostAdmin(PublishingActions, ReviewViews, TranslationViews, WritingRoom, HttpsURLMixin, VersionAdmin):
    form = PostAdminForm
    inlines = [BylineInline, RelatedPostInline, RelatedLinkInline]
    list_display = ["title", "language", "publication_state", "publish_at", "author_names", "translation_state"]
    list_filter = [PublicationStateFilter, "language", TranslationStateFilter, "tags", "authors"]
    search_fields = ["title", "body"]
    date_hierarchy = "publish_at"
    autocomplete_fields = ["tags"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {**MARKDOWN_EDITOR, **LABELLED_DATE_TIME}
    actions = ["publish", "unpublish"]
    fieldsets = [
        # The writer's desk (admin/blog/post/change_form.html): title and summary above the body, which fills the
        # window beside its preview; publishing in a sidebar on wide screens, under the title on narrow ones.
        (None, {"classes": ["desk-title"], "fields": ["title", "summary"]}),
        (
            _("Publishing"),
            {"classes": ["desk-publishing"], "fields": ["language", "slug", "status", "publish_at", "tags"]},
        ),
        (None, {"classes": ["desk-editor"], "fields": ["body", "loaded_stamp"]}),
        (_("Cover image"), {"classes": ["collapse"], "fields": ["cover_image", "cover_alt"]}),
        (_("Citation"), {"classes": ["collapse"], "fields": [("doi", "revised_on")]}),
        (
            _("Advanced"),
            {
                "classes": ["collapse"],
                "fields": [
                    "translation_key",
                    ("original_title", "original_author"),
                    ("original_url", "original_published_on"),
                    "extra_front_matter",
                ],
            },
        ),
    ]

    # Roles.

    def has_publish_permission(self, request):
        """Publishing rights make an editor, who may also open every post rather than only their own."""
        return request.user.has_perm(f"{self.opts.app_label}.publish_post")

    def may_open(self, request, post):
        return (
            post is None
            or self.has_publish_permission(request)
            or post.bylines.filter(author__user=request.user).exists()
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_open(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_open(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_open(request, obj)

    def get_queryset(self, request):
        bylines = Prefetch("bylines", queryset=PostAuthor.objects.select_related("author"))
        posts = super().get_queryset(request).prefetch_related(bylines)
        if self.has_publish_permission(request):
            return posts
        return posts.filter(bylines__author__user=request.user)

    def get_object(self, request, object_id, from_field=None):
        """Find any post, not only the user's own, so for someone else's the permission checks answer 403."""
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return Post.objects.get(**{field.name: field.to_python(object_id)})
        except (Post.DoesNotExist, ValidationError, ValueError):
            return None

    def get_readonly_fields(self, request, obj=None):
        """An author sets status (draft or in review) and publish time of their own draft only; an editor approves."""
        readonly = super().get_readonly_fields(request, obj)
        if self.has_publish_permission(request) or obj is None or obj.status == Post.Status.DRAFT:
            return readonly
        return [*readonly, "status", "publish_at"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [(status.value, status.label) for status in AUTHOR_STATUSES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"language": request.LANGUAGE_CODE, **super().get_changeform_initial_data(request)}

    def add_view(self, request, form_url="", extra_context=None):
        if (
            self.has_add_permission(request)
            and not self.has_publish_permission(request)
            and not Author.objects.filter(user=request.user).exists()
        ):
            self.message_user(
                request,
                gettext(
                    "Your account is not linked to an author profile, so a post you write would have no byline. "
                    "Ask an editor to choose your account on your author profile."
                ),
                messages.ERROR,
            )
            return redirect("admin:blog_post_changelist")
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A save writes the post, then its bylines, tags and links: one change for the page cache and the edge,
        # moved once as it commits, instead of once a row (each finding the months that hold essays again).
        with changes_together():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Save what changed, as the role allows: an author's change to a live essay waits for an editor."""
        if change and not form.has_changed() and not self.restoring_revision(request):
            return  # no revision, and updated_at (the edit stamp other editors loaded) stays as it was
        if change and not self.has_publish_permission(request) and self.stored_status(obj) == Post.Status.PUBLISHED:
            self.keep_as_pending_draft(request, obj, form)
            return
        if obj.status != Post.Status.DRAFT:
            obj.review_note = ""
        super().save_model(request, obj, form, change)
        if obj.is_scheduled:
            self.message_user(request, scheduled_for(obj), messages.INFO)

    @staticmethod
    def restoring_revision(request):
        """django-reversion's restore writes the old revision first, so its form shows no change, yet it must save."""
        return request.resolver_match.url_name == "blog_post_revision"

    @staticmethod
    def stored_status(post):
        return Post.objects.filter(pk=post.pk).values_list("status", flat=True).first()

    def keep_as_pending_draft(self, request, post, form):
        """Readers keep the approved text: the author's title, summary and body become the pending draft."""
        form.kept_as_pending_draft = True
        pending = PendingDraft.objects.filter(post=post).first() or PendingDraft(
            post=post, based_on=form.cleaned_data["loaded_stamp"]
        )
        autosave.keep_pending_text(request, self, pending, form.cleaned_data)
        self.message_user(
            request,
            gettext(
                "Your changes to this published post's text are kept as a pending draft for an editor to approve; "
                "readers still see the published version. Only an editor changes its other fields."
            ),
            messages.WARNING,
        )

    def get_inline_instances(self, request, obj=None):
        """Bylines and links of a live essay are an editor's to change: readers would see an author's at once."""
        if obj is not None and obj.is_live and not self.has_publish_permission(request):
            return []
        return super().get_inline_instances(request, obj)

    def save_related(self, request, form, formsets, change):
        if getattr(form, "kept_as_pending_draft", False):
            return
        super().save_related(request, form, formsets, change)
        if not change and not self.has_publish_permission(request):
            self.put_own_byline_first(request, form.instance)

    def put_own_byline_first(self, request, post):
        """An author's new post carries their byline, or they could not open it again."""
        profile = Author.objects.filter(user=request.user).first()
        if profile is not None and not post.bylines.filter(author=profile).exists():
            post.bylines.update(position=F("position") + 1)
            PostAuthor.objects.create(post=post, author=profile, position=0)

    # List.

    @admin.display(description=_("status"), ordering="status")
    def publication_state(self, post):
        return scheduled_for(post) if post.is_scheduled else post.get_status_display()

    @admin.display(description=_("authors"))
    def author_names(self, post):
        return ", ".join(byline.author.name for byline in post.bylines.all())

    # Previews: readers cannot open a draft or scheduled post; its signed preview link shows it instead.

    @staticmethod
    def is_public(post):
        return Post.objects.published().filter(pk=post.pk).exists()

    def view_on_site(self, post):
        return post.get_absolute_url() if self.is_public(post) else preview_url(post)

    # Revisions: django-reversion reverts first and asks the change form second, when the
    # bylines it would check are already the old revision's; so check rights here first.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        if not self.has_publish_permission(request):
            version = get_object_or_404(Version.objects.get_for_object(post), pk=version_id)
            if post.is_live:
                self.message_user(
                    request, gettext("Only an editor can restore a version of a published post."), messages.ERROR
                )
                return redirect("admin:blog_post_history", post.pk)
            if version.field_dict["status"] != post.status:
                self.message_user(
                    request,
                    gettext("Only an editor can restore a version whose status differs from the current one."),
                    messages.ERROR,
                )
                return redirect("admin:blog_post_history", post.pk)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        """Deleted posts are listed, and brought back, only for those who may delete posts."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    # The change form: a preview link for what readers cannot open yet, and the other language versions.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            if not self.is_public(obj):
                context["preview_url"] = request.build_absolute_uri(preview_url(obj))
                context["preview_days"] = settings.BUNKO_PREVIEW_MAX_AGE.days
            translations = obj.get_translations().order_by("language")
            context["translations"] = translations
            context["can_translate"] = self.has_add_permission(request) and len(translations) + 1 < len(
                settings.LANGUAGES
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
