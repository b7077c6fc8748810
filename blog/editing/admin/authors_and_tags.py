"""The admins of authors (profiles, linked to user accounts) and tags."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from blog.editing.admin.base import MARKDOWN_EDITOR, HttpsURLMixin
from blog.editing.forms import AuthorAdminForm
from blog.models import Author, Tag


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
