"""What every Bunko admin shares: the Markdown editor widget, labelled date-time inputs, URLs read as https."""

from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class LabelledSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, named for screen readers: Django prints "Date:" beside them, not a label."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = _("Date")
        self.widgets[1].attrs["aria-label"] = _("Time")


LABELLED_DATE_TIME = {models.DateTimeField: {"widget": LabelledSplitDateTime}}


class HttpsURLMixin:
    """Admin forms read a URL typed without a scheme as https, like the forms in blog.editing.forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)
