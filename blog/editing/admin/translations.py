"""Translating from the admin: "Create translation" makes a draft in another language from a post."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from reversion import add_to_revision, set_comment

from blog.editing.forms import CreateTranslationForm


class TranslationViews:
    """PostAdmin's views for translations, under the post's admin URLs."""

    def get_urls(self):
        translate = path(
            "<path:object_id>/translate/",
            self.admin_site.admin_view(self.create_translation_view),
            name="blog_post_translate",
        )
        return [translate, *super().get_urls()]

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
