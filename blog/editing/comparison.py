"""Two versions of an essay's title, summary and text compared paragraph by paragraph, for one editor's page.

A diff is the one costly thing these pages work out, so each comparison is kept in Django's cache under the two
texts' fingerprints: a reload, or a second editor opening the same page, reads it back. Pages that list many
essays compare nothing (blog.editing.translation_status counts changed blocks instead).
"""

import time

from django.conf import settings

from blog.caching import cache_get, cache_set
from blog.content import paragraph_diff, translation_drift


def compared(before, after, language):
    """{field: paragraph_diff.for_reading(...)} of the texts `after` against `before`, both {field: text} as
    translation_drift.text_of() gives them, written in `language`."""
    fingerprints = [translation_drift.fingerprint(before), translation_drift.fingerprint(after)]
    key = ":".join(["bunko:diff", settings.BUNKO_RELEASE, language, *fingerprints])
    found = cache_get(key)
    if found is None:
        deadline = time.time() + paragraph_diff.TIME_BUDGET  # one budget for the page, not one per field
        found = {
            field: paragraph_diff.for_reading(
                paragraph_diff.diff(before.get(field, ""), after[field], language, deadline)
            )
            for field in translation_drift.TRANSLATED_FIELDS
        }
        cache_set(key, found)
    return found
