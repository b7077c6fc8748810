"""The editors' product: posts with bylines, links, translations, revisions and roles; authors; tags.

Roles: whoever may publish (the Editor group, superusers) edits every post. Everyone else (the
Author group) sees and edits only posts whose byline includes their own Author profile, and never
changes a post's status. VersionAdmin records a revision on every admin save and registers the
inline models with django-reversion, so restoring a revision brings back bylines and links too.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.db.models import F, Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from markdownx.views import ImageUploadView, MarkdownifyView
from markdownx.widgets import AdminMarkdownxWidget
from reversion import add_to_revision, set_comment
from reversion.admin import VersionAdmin
from reversion.models import Version

from blog import rendering
from blog.forms import AuthorAdminForm, CreateTranslationForm, EditorImageForm, PostAdminForm
from blog.models import Author, Post, PostAuthor, RelatedLink, RelatedPost, Tag
from blog.preview import preview_url

MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class HttpsURLMixin:
    """Admin forms read a URL typed without a scheme as https, like the forms in blog.forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class BylineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data.get("author") and not self._should_delete_form(form)]
        if not kept:
            raise ValidationError(_("A post needs at least one author."), code="no_author")


class BylineInline(admin.TabularInline):
    model = PostAuthor
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["author", "position"]
    min_num = 1
    extra = 0
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")


class RelatedPostInline(admin.TabularInline):
    model = RelatedPost
    fk_name = "from_post"
    autocomplete_fields = ["to_post"]
    fields = ["to_post", "position"]
    extra = 0


class RelatedLinkInline(HttpsURLMixin, admin.StackedInline):
    model = RelatedLink
    fields = [("title", "url"), "summary", "position"]
    extra = 0


@admin.register(Post)
class PostAdmin(HttpsURLMixin, VersionAdmin):
    form = PostAdminForm
    inlines = [BylineInline, RelatedPostInline, RelatedLinkInline]
    list_display = ["title", "language", "status", "publish_at", "author_names"]
    list_filter = ["status", "language", "tags", "authors"]
    search_fields = ["title", "body"]
    date_hierarchy = "publish_at"
    autocomplete_fields = ["tags"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = MARKDOWN_EDITOR
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "language", "body", "summary", "loaded_version"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "tags"]}),
        (_("Cover image"), {"fields": ["cover_image", "cover_alt"]}),
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
        readonly = super().get_readonly_fields(request, obj)
        return readonly if self.has_publish_permission(request) else [*readonly, "status"]

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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not self.has_publish_permission(request):
            self._put_own_byline_first(request, form.instance)

    def _put_own_byline_first(self, request, post):
        """An author's new post carries their byline, or they could not open it again."""
        profile = Author.objects.filter(user=request.user).first()
        if profile is not None and not post.bylines.filter(author=profile).exists():
            post.bylines.update(position=F("position") + 1)
            PostAuthor.objects.create(post=post, author=profile, position=0)

    # List.

    @admin.display(description=_("authors"))
    def author_names(self, post):
        return ", ".join(byline.author.name for byline in post.bylines.all())

    @admin.action(description=_("Publish selected posts"), permissions=["publish"])
    def publish(self, request, queryset):
        now = timezone.now()
        drafts = list(queryset.filter(status=Post.Status.DRAFT))
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

    # Previews: readers cannot open a draft or scheduled post; its signed preview link shows it instead.

    @staticmethod
    def is_public(post):
        return Post.objects.published().filter(pk=post.pk).exists()

    def view_on_site(self, post):
        return post.get_absolute_url() if self.is_public(post) else preview_url(post)

    # Revisions: django-reversion reverts first and asks the change form second, when the
    # bylines it would check are already the old version's; so check rights here first.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        if not self.has_publish_permission(request):
            version = get_object_or_404(Version.objects.get_for_object(post), pk=version_id)
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

    # Translations.

    def get_urls(self):
        translate = path(
            "<path:object_id>/translate/",
            self.admin_site.admin_view(self.create_translation_view),
            name="blog_post_translate",
        )
        return [translate, *super().get_urls()]

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

    def create_translation_view(self, request, object_id):
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404
        if not (self.has_add_permission(request) and self.has_view_permission(request, source)):
            raise PermissionDenied
        form = CreateTranslationForm(request.POST or None, source=source)
        if form.is_valid():
            try:
                with self.create_revision(request):
                    translation = form.save()
                    add_to_revision(translation)  # again, now that its bylines and links exist
                    self.log_addition(request, translation, [{"added": {}}])
                    set_comment(gettext("Created as a translation of “%(title)s”.") % {"title": source.title})
            except IntegrityError:
                form.add_error("language", gettext("A version in this language was created meanwhile."))
            else:
                self.message_user(
                    request,
                    gettext("Created a draft translation in %(language)s. Translate the text, then save.")
                    % {"language": translation.get_language_display()},
                    messages.SUCCESS,
                )
                return redirect("admin:blog_post_change", translation.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": source,
            "form": form,
            "title": gettext("Create a translation of “%(title)s”") % {"title": source.title},
        }
        return TemplateResponse(request, "admin/blog/post/create_translation.html", context)


@admin.register(Author)
class AuthorAdmin(HttpsURLMixin, VersionAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    formfield_overrides = MARKDOWN_EDITOR


@admin.register(Tag)
class TagAdmin(VersionAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


# markdownx's endpoints, hardened; config/urls.py serves them to logged-in staff only.


class MarkdownPreviewView(MarkdownifyView):
    """The editor's live preview, through the same renderer readers get (MARKDOWNX_MARKDOWNIFY_FUNCTION)."""

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponseBadRequest(gettext("Nothing to preview: the request has no content."))
        try:
            rendering.validate_markdown(request.POST["content"])
        except ValidationError as error:
            # markdownx puts the answer into the preview pane, so answer with a readable note.
            return HttpResponseBadRequest(format_html('<p class="errornote">{}</p>', " ".join(error.messages)))
        return super().post(request, *args, **kwargs)


class EditorImageUploadView(ImageUploadView):
    """markdownx's upload view with Bunko's checks; answers JSON either way, as markdownx's script expects."""

    form_class = EditorImageForm
    http_method_names = ["post"]

    def form_valid(self, form):
        return JsonResponse({"image_code": f"![]({form.save()})"})

    def form_invalid(self, form):
        return JsonResponse(
            {"error": " ".join(message for errors in form.errors.values() for message in errors)}, status=400
        )
