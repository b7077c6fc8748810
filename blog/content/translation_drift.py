"""Whether a translation still says what its source says: fingerprints, the base a translation matched, its state.

A translation records the version it was translated from (`Post.translated_from`, one per essay, normally the
original) and the fingerprint of that source's title, summary and body when it last matched it, with the time
and a copy of that text (`source_base`, which the editors' diff starts from). Every post keeps the fingerprint of
its own text, so "is this translation outdated?" is one column compared with another, in SQL or in Python,
and no page computes a hash or a diff for it.

An editor fixing a typo in a source ticks "minor change": its translations that matched the previous text
are moved onto the new one, so nothing is flagged.
"""

import functools
import hashlib
import json
import operator
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog.content import paragraph_diff

# The parts of a post a translation renders in another language; a change to any other field is not drift.
TRANSLATED_FIELDS = ("title", "summary", "body")


class DriftState(StrEnum):
    ORIGINAL = "original"
    UP_TO_DATE = "up-to-date"
    OUTDATED = "outdated"
    MISSING = "missing"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {
    DriftState.ORIGINAL: _("original"),
    DriftState.UP_TO_DATE: _("up to date"),
    DriftState.OUTDATED: _("outdated"),
    DriftState.MISSING: _("missing"),
}


def text_of(post):
    """{field: text} of what a translation renders: the base a translation is compared with."""
    return {field: getattr(post, field) or "" for field in TRANSLATED_FIELDS}


def fingerprint(text):
    """A hex digest of title, summary and body (as text_of gives them); equal texts, equal fingerprints.

    Line ends and surrounding blank space do not count: an import strips them and a browser sends CRLF, and
    neither is a change a translator has to follow.
    """
    normalised = [text.get(field, "").replace("\r\n", "\n").strip() for field in TRANSLATED_FIELDS]
    payload = json.dumps(normalised, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def note_own_text(post):
    """Before `post` is saved: store its text's fingerprint; return the previous one if the text changed, else None.

    A change that is not minor also stamps `content_changed_at`, the date readers of its translations are told.
    """
    previous = post.content_fingerprint
    current = fingerprint(text_of(post))
    if current == previous:
        return None
    post.content_fingerprint = current
    if not post.minor_change or not previous:
        post.content_changed_at = timezone.now()
    return previous or None


def carry_translations(source, previous):
    """After a minor change to `source`: its translations that matched `previous` now match its new text.

    A plain QuerySet update, not the content model's announcing one: these rows change nothing a reader sees
    (they were up to date and stay so), and the source's own save already expired every page of this essay.
    """
    models.QuerySet.update(
        type(source).objects.filter(translated_from=source, source_fingerprint=previous),
        source_fingerprint=source.content_fingerprint,
        source_base=text_of(source),
        source_synced_at=timezone.now(),
    )


def base_fields(source):
    """The fields recording that a translation matches `source`'s current text (for create() or setattr)."""
    return {
        "translated_from": source,
        "source_fingerprint": source.content_fingerprint or fingerprint(text_of(source)),
        "source_base": text_of(source),
        "source_synced_at": timezone.now(),
    }


def match_source(translation, source):
    """Record on `translation`, unsaved, that it matches `source`'s current text; return the fields set."""
    fields = base_fields(source)
    for field, value in fields.items():
        setattr(translation, field, value)
    return fields


def mark_up_to_date(translation):
    """Save `translation` as matching its source's current text (the caller wraps it in a revision)."""
    fields = match_source(translation, translation.translated_from)
    translation.save(update_fields=[*fields, "updated_at"])


def changed_in_source(translation):
    """The blocks of the source's text added or changed since `translation`'s base (none if up to date or unknown)."""
    source, base = translation.translated_from, translation.source_base or {}
    if source is None or not base or translation.source_fingerprint == source.content_fingerprint:
        return set()
    return paragraph_diff.new_blocks(base.get("body", ""), source.body)


def version_exists(model, language):
    return Exists(model.objects.filter(translation_key=OuterRef("translation_key"), language=language))


def missing_language_q(model):
    """Posts of essays lacking a version in one of the site's languages."""
    return functools.reduce(operator.or_, (~version_exists(model, code) for code, _name in settings.LANGUAGES))


def with_source_state(queryset):
    """`queryset` of Post with its source's current fingerprint (`source_now`, for Post.drift_against()) and change
    time."""
    return queryset.annotate(
        source_now=F("translated_from__content_fingerprint"), source_changed_at=F("translated_from__content_changed_at")
    )


def outdated_translation_of(model, language):
    """The pk of the row's translation into `language` made from it and behind its text, else NULL."""
    made_from_row = model.objects.filter(translated_from=OuterRef("pk"), language=language)
    return Subquery(made_from_row.outdated().values("pk")[:1])


def with_states(queryset):
    """`queryset` of Post with what Post.drift_against(), missing_languages() and outdated_translations() read: one
    query for a whole list."""
    model = queryset.model
    return with_source_state(queryset).annotate(
        **{f"has_{code.replace('-', '_')}": version_exists(model, code) for code, _name in settings.LANGUAGES},
        **{
            f"outdated_{code.replace('-', '_')}": outdated_translation_of(model, code)
            for code, _name in settings.LANGUAGES
        },
    )


def missing_languages(post):
    """The site's languages `post`'s essay has no version in (`post` comes from with_states())."""
    return [code for code, _name in settings.LANGUAGES if not getattr(post, f"has_{code.replace('-', '_')}")]


def outdated_translations(post):
    """(language name, pk) of each translation made from `post` that is behind its text (`post` from with_states())."""
    return [
        (name, pk)
        for code, name in settings.LANGUAGES
        if (pk := getattr(post, f"outdated_{code.replace('-', '_')}")) is not None
    ]
