"""A post's inlines: its bylines (at least one, in order), related posts and related links."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from blog.editing.admin.base import HttpsURLMixin
from blog.models import PostAuthor, RelatedLink, RelatedPost


class LabelledFormSet(BaseInlineFormSet):
    """A table row's inputs have column headings, not labels: name each input for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            field.widget.attrs.setdefault("aria-label", field.label or name)


class BylineFormSet(LabelledFormSet):
    def clean(self):
        super().clean()
        # A form ticked for deletion carries DELETE in its cleaned data (the formset's can_delete adds the field).
        kept = [form for form in self.forms if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(_("A post needs at least one author."), code="no_author")


class BylineInline(admin.TabularInline):
    model = PostAuthor
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["author", "role", "position"]
    min_num = 1
    extra = 0
    verbose_name = _("author")
    verbose_name_plural = _("authors (in byline order)")


class RelatedPostInline(admin.TabularInline):
    model = RelatedPost
    fk_name = "from_post"
    autocomplete_fields = ["to_post"]
    formset = LabelledFormSet
    fields = ["to_post", "position"]
    extra = 0


class RelatedLinkInline(HttpsURLMixin, admin.StackedInline):
    model = RelatedLink
    fields = [("title", "url"), "summary", "position"]
    extra = 0
