"""Control characters in what an editor types: invisible, never meant, and poison to XML feeds and citation files.

A title is one line, so it may hold none (no tab or line break either); a summary is a paragraph, which may keep
tabs and line breaks. Both sets are C0 and C1 controls and DEL, the characters Unicode classes as Cc.
"""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

IN_TITLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
IN_SUMMARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

refused_in_title = RegexValidator(
    IN_TITLE,
    inverse_match=True,
    message=_(
        "A title is one line of visible text: remove the tabs, line breaks or invisible control characters "
        "(often pasted from a terminal or a PDF)."
    ),
    code="control_characters",
)
refused_in_summary = RegexValidator(
    IN_SUMMARY,
    inverse_match=True,
    message=_(
        "The summary contains invisible control characters (often pasted from a terminal or a PDF): remove them."
    ),
    code="control_characters",
)
