"""What every Bunko admin shares: the Markdown editor widget and URLs read as https."""

from django.db import models
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

MARKDOWN_EDITOR = {MarkdownxField: {"widget": AdminMarkdownxWidget}}


class HttpsURLMixin:
    """Admin forms read a URL typed without a scheme as https, like the forms in blog.editing.forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)
