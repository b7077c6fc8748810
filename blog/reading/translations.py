"""Which language version of an essay a reader sees when a list may hold several, and what a version says of the others."""

from django.db.models import Exists, OuterRef, Q


def one_per_essay(queryset, language):
    """Keep one version per translation key: the one in `language`, else the original.

    The original is the earliest-created version among `queryset`'s rows, so a list filtered by
    tag, author or search terms falls back within what it matched. Done in SQL with one EXISTS
    subquery (is there a sibling the reader would rather see?), so pagination sees the same rows
    and nothing loops over posts in Python. A post is never preferred over itself, so the
    subquery needs no "other than this one" condition.
    """
    preferred = queryset.filter(
        Q(language=language)
        | Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")),
        translation_key=OuterRef("translation_key"),
    )
    return queryset.filter(Q(language=language) | ~Exists(preferred))


def reader_versions(queryset, language, written_in=None):
    """Posts written in `written_in` when a reader narrowed a list so; else one per essay, preferring `language`."""
    if written_in:
        return queryset.filter(language=written_in)
    return one_per_essay(queryset, language)


def source_among(post, versions):
    """The published version `post` was translated from, found among `versions` (its essay's), or None."""
    return next((version for version in versions if version.pk == post.translated_from_id), None)


def outdated_source(post, versions):
    """The source `post` has fallen behind, when it is published (a reader can only be sent to that), else None.

    No query: the post page reads every published version of the essay, with the fingerprints, already.
    """
    source = source_among(post, versions)
    return source if source is not None and post.source_fingerprint != source.content_fingerprint else None
