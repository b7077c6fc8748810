"""The admins of authors (profiles, linked to user accounts) and tags."""

from django.conf import settings
from django.contrib import admin
from reversion.admin import VersionAdmin

from blog.editing.admin.base import MARKDOWN_EDITOR, HttpsURLMixin
from blog.editing.forms import AuthorAdminForm
from blog.models import Author, Tag, TagName


@admin.register(Author)
class AuthorAdmin(HttpsURLMixin, VersionAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    formfield_overrides = MARKDOWN_EDITOR


class TagNameInline(admin.TabularInline):
    """The tag's name, slug and description in each language its readers should see them in; the tag's own
    serve the others."""

    model = TagName
    fields = ["language", "name", "slug", "description"]
    extra = 0
    max_num = len(settings.LANGUAGES)


@admin.register(Tag)
class TagAdmin(VersionAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "names__name"]
    inlines = [TagNameInline]
    prepopulated_fields = {"slug": ["name"]}
