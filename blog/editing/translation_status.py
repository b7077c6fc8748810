"""The site's translation status, one row per essay and one cell per language, read in a bounded number of queries.

A page of essays is two queries (its count and its first versions) and one more for every version of those
essays, whatever the size of the site: the cells are worked out in Python from those rows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.paginator import Paginator

from blog.content import paragraph_diff, translation_drift
from blog.content.translation_drift import DriftState
from blog.models import Post

ESSAYS_PER_PAGE = 50
# What a cell needs: its state, dates, and the texts its "how much changed" compares.
CELL_FIELDS = (
    "title", "language", "translation_key", "status", "created_at", "translated_from", "source_fingerprint",
    "source_synced_at", "content_fingerprint", "content_changed_at", "source_base", "summary", "body",
)  # fmt: skip


@dataclass
class Cell:
    """One language of one essay: its version if any, its state, and for an outdated one since when and how much."""

    language: str
    state: DriftState
    post: Post | None = None
    outdated_since: datetime | None = None
    changes: int = 0


@dataclass
class Row:
    essay: Post
    cells: list


def essays(only_outdated=False):
    """Every essay as its first version (a language of None keeps each essay's original), newest first."""
    firsts = Post.objects.one_per_essay(language=None)
    if only_outdated:
        firsts = firsts.filter(translation_key__in=Post.objects.outdated().values("translation_key"))
    return firsts.only("title", "language", "translation_key").order_by("-created_at", "-pk")


def page_of_rows(page_number, only_outdated=False):
    """(the Paginator page, its rows): the essays on page `page_number` with a cell per language."""
    page = Paginator(essays(only_outdated), ESSAYS_PER_PAGE).get_page(page_number)
    keys = [essay.translation_key for essay in page]
    versions = translation_drift.with_source_state(Post.objects.filter(translation_key__in=keys).only(*CELL_FIELDS))
    by_essay = {}
    for version in versions:
        by_essay.setdefault(version.translation_key, {})[version.language] = version
    rows = [Row(essay, cells(by_essay.get(essay.translation_key, {}))) for essay in page]
    return page, rows


def cells(versions):
    """{language: version} of one essay as one Cell per site language."""
    by_pk = {version.pk: version for version in versions.values()}
    found = []
    for language, _name in settings.LANGUAGES:
        post = versions.get(language)
        if post is None:
            found.append(Cell(language, DriftState.MISSING))
            continue
        cell = Cell(language, post.drift_against(post.source_now), post)
        if cell.state == DriftState.OUTDATED:
            cell.outdated_since = post.source_changed_at
            source = by_pk.get(post.translated_from_id)  # a source in another essay is not read: no count then
            cell.changes = how_much_changed(post, source) if source else 0
        found.append(cell)
    return found


def how_much_changed(translation, source):
    """How many blocks of the source's title, summary and text changed since `translation`'s base: counted, not
    diffed, since a page lists fifty essays (paragraph_diff.changed_count)."""
    base, now = translation.source_base or {}, translation_drift.text_of(source)
    return sum(
        paragraph_diff.changed_count(base.get(field, ""), now[field]) for field in translation_drift.TRANSLATED_FIELDS
    )
