"""Translating from the admin: creating a translation, the site's translation status, what changed in a
translation's source since it was translated (and "mark as up to date"), and the side-by-side editor.

Drift itself (what a translation matched, when it falls behind) belongs to the content: blog.content.translation_drift.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reversion import add_to_revision, set_comment

from blog.content import translation_drift
from blog.content.translation_drift import DriftState
from blog.editing import comparison, translation_status
from blog.editing.forms import CreateTranslationForm, SideBySideForm


class TranslationStateFilter(admin.SimpleListFilter):
    """The post list narrowed to originals, up-to-date or outdated translations, or essays missing a language."""

    title = _("translation state")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in DriftState]

    def queryset(self, request, queryset):
        narrowed = {
            DriftState.ORIGINAL: lambda: queryset.filter(translated_from__isnull=True),
            DriftState.UP_TO_DATE: queryset.up_to_date,
            DriftState.OUTDATED: queryset.outdated,
            DriftState.MISSING: lambda: queryset.filter(translation_drift.missing_language_q(queryset.model)),
        }
        return narrowed[self.value()]() if self.value() in narrowed else queryset


class TranslationChangeList(ChangeList):
    """The post list's rows carry their translation state (translation_drift.with_states): one query for the page."""

    def get_queryset(self, request, exclude_parameters=None):
        return translation_drift.with_states(super().get_queryset(request, exclude_parameters))


def versions_with_states(versions):
    """The essay's other versions for the change form's language table, each with its `drift_state` and, through
    translation_drift.with_source_state, since when its source changed (`source_changed_at`)."""
    versions = list(translation_drift.with_source_state(versions))
    for version in versions:
        version.drift_state = version.drift_against(version.source_now)
    return versions


class TranslationViews:
    """PostAdmin's views for translations, under the post's admin URLs."""

    # django-reversion's list (with its "Recover deleted posts" link) and a link to the translation status.
    change_list_template = "admin/blog/post/change_list.html"

    def get_urls(self):
        def view(route, function, name):
            return path(route, self.admin_site.admin_view(function), name=f"blog_post_{name}")

        return [
            view("translation-status/", self.translation_status_view, "translation_status"),
            view("<path:object_id>/translate/", self.create_translation_view, "translate"),
            view("<path:object_id>/source-changes/", self.source_changes_view, "source_changes"),
            view("<path:object_id>/side-by-side/", self.side_by_side_view, "side_by_side"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "shows_translation_status": self.has_publish_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_changelist(self, request, **kwargs):
        return TranslationChangeList

    @admin.display(description=_("translation"))
    def translation_state(self, post):
        """Original, up to date or outdated since when, the translations of it that are outdated (each linked to
        side by side), and the languages the essay still lacks."""
        state = post.drift_against(post.source_now)
        label = str(state.label)
        if state == DriftState.OUTDATED and post.source_changed_at:
            label = gettext("outdated since %(date)s") % {"date": formats.date_format(post.source_changed_at)}
        shown = format_html('<span class="translation-state {}">{}</span>', state, label)
        since = formats.date_format(post.content_changed_at) if post.content_changed_at else ""
        shown += format_html_join(
            "",
            '<br><a href="{}">{}</a>',
            (
                (
                    reverse("admin:blog_post_side_by_side", args=[pk]),
                    gettext("%(language)s outdated since %(date)s") % {"language": language, "date": since},
                )
                for language, pk in translation_drift.outdated_translations(post)
            ),
        )
        missing = translation_drift.missing_languages(post)
        if missing:
            shown += format_html(
                '<br><span class="translation-missing">{}</span>',
                gettext("missing: %(languages)s") % {"languages": ", ".join(missing)},
            )
        return shown

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            source = obj.translated_from
            context["drift_state"] = obj.drift_against(source.content_fingerprint if source else None)
            if "translations" in context:
                context["translations"] = versions_with_states(context["translations"])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def page(self, request, template, title, **context):
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context}
        return TemplateResponse(request, f"admin/blog/post/{template}", context)

    def post_or_404(self, request, object_id):
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404
        return post

    def create_translation_view(self, request, object_id):
        source = self.post_or_404(request, object_id)
        if not (self.has_add_permission(request) and self.has_view_permission(request, source)):
            raise PermissionDenied
        form = CreateTranslationForm(
            request.POST or None,
            source=source,
            initial={
                "language": request.GET.get("language"),
                "translator": getattr(request.user, "author_profile", None),  # who asks translates, by default
            },
        )
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
        title = gettext("Create a translation of “%(title)s”") % {"title": source.title}
        return self.page(request, "create_translation.html", title, original=source, form=form)

    def translation_status_view(self, request):
        """One row per essay, one cell per language: original, up to date, outdated (since, how much) or missing."""
        if not self.has_publish_permission(request):
            raise PermissionDenied  # it lists every essay, drafts too: editors' work, like opening every post
        only_outdated = request.GET.get("outdated") == "1"
        page, rows = translation_status.page_of_rows(request.GET.get("page"), only_outdated)
        return self.page(
            request,
            "translation_status.html",
            gettext("Translation status"),
            page_obj=page,
            rows=rows,
            only_outdated=only_outdated,
            can_translate=self.has_add_permission(request),
        )

    def translation_and_source(self, request, object_id):
        """The translation the URL names and its source, each checked against the user's rights."""
        translation = self.post_or_404(request, object_id)
        source = translation.translated_from
        if not self.has_view_permission(request, translation) or (
            source and not self.has_view_permission(request, source)
        ):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, translation):
            raise PermissionDenied
        return translation, source

    def translator_page(self, request, template, title, translation, **context):
        """A page about `translation` and its source; `title` names the translation as %(title)s."""
        return self.page(
            request,
            template,
            title % {"title": translation.title},
            original=translation,
            source=translation.translated_from,
            can_change=self.has_change_permission(request, translation),
            **context,
        )

    def not_a_translation(self, request, post):
        self.message_user(request, gettext("This post is not a translation of another version."), messages.INFO)
        return redirect("admin:blog_post_change", post.pk)

    def source_changes_view(self, request, object_id):
        """What changed in the source since the translation's base, beside the translation; POST marks it up to date."""
        translation, source = self.translation_and_source(request, object_id)
        if source is None:
            return self.not_a_translation(request, translation)
        if request.method == "POST":
            with transaction.atomic(), self.create_revision(request):
                translation_drift.mark_up_to_date(translation)
                set_comment(gettext("Marked as up to date with “%(title)s”.") % {"title": source.title})
            self.message_user(request, gettext("The translation is marked as up to date."), messages.SUCCESS)
            return redirect("admin:blog_post_source_changes", translation.pk)
        base = translation.source_base or {}
        return self.translator_page(
            request,
            "source_changes.html",
            gettext("What changed in the source of “%(title)s”"),
            translation,
            state=translation.drift_against(source.content_fingerprint),
            base_known=bool(base),
            compared=comparison.compared(base, translation_drift.text_of(source), source.language),
        )

    def side_by_side_view(self, request, object_id):
        """The source's title, summary and Markdown, read-only, beside the translation's, with its preview.

        POST saves (with `_mark_up_to_date`, also marks the translation up to date with the source shown, in one
        revision) or, with `_preview`, shows the form's text rendered without saving it.
        """
        translation, source = self.translation_and_source(request, object_id)
        if source is None:
            return self.not_a_translation(request, translation)
        if request.method == "POST" and translation.is_live and not self.has_publish_permission(request):
            # Readers keep the approved text: an author's change to a live translation waits for an editor.
            self.message_user(
                request,
                gettext(
                    "This translation is published: write your changes on its change page, where they wait for "
                    "an editor's approval as a pending draft."
                ),
                messages.ERROR,
            )
            return redirect("admin:blog_post_change", translation.pk)
        form = SideBySideForm(request.POST or None, translation=translation, source=source)
        preview = translation.body_html
        if request.method == "POST" and "_preview" in request.POST:
            with transaction.atomic():  # the form's checks lock the rows they read
                if form.is_valid():
                    preview = form.preview_html()
        elif request.method == "POST":
            mark_up_to_date = "_mark_up_to_date" in request.POST
            if self.save_side_by_side(request, form, source, mark_up_to_date):
                saved = (
                    gettext("The translation was saved and marked as up to date.")
                    if mark_up_to_date
                    else gettext("The translation was saved.")
                )
                self.message_user(request, saved, messages.SUCCESS)
                return redirect("admin:blog_post_side_by_side", translation.pk)
        return self.translator_page(
            request,
            "side_by_side.html",
            gettext("Translate “%(title)s” side by side"),
            translation,
            form=form,
            preview=preview,
        )

    def save_side_by_side(self, request, form, source, mark_up_to_date):
        """Save the form's text as a revision; False when the form is invalid (its check locks the row till then)."""
        with transaction.atomic():
            if not form.is_valid():
                return False
            with self.create_revision(request):
                form.save(mark_up_to_date)
                self.log_change(request, form.translation, [{"changed": {"fields": ["title", "summary", "body"]}}])
                comment = (
                    gettext("Translated side by side with “%(title)s” and marked as up to date.")
                    if mark_up_to_date
                    else gettext("Translated side by side with “%(title)s”.")
                )
                set_comment(comment % {"title": source.title})
        return True
