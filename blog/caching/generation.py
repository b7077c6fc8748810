"""The content generation and per-key tokens: the page cache's state, moved when a reader could see a change and
kept in the database for every worker.

The receivers that move blog.models.freshness (the content generation and per-key tokens): Django's model
signals for single writes, the content model's `content_written` for bulk ones, connected by connect() from
BlogConfig.ready(). blog.caching.pages reads this state for ETags and the page cache.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from blog.caching.edge.outbox import purge_after_commit
from blog.caching.keys import EVERYTHING, LISTS, author_key, essay_key, essay_page_key, tag_key

# Compiled queries sit below both reading and caching: one-way arrows.
from blog.compiled_sql import Prepared, months_holding
from blog.models import (
    Author,
    ContentGeneration,
    ContentToken,
    Post,
    PostAuthor,
    RelatedLink,
    RelatedPost,
    Tag,
    TagName,
    content_written,
)


@dataclass(frozen=True)
class ContentState:
    """What every public request reads of the content generation: its value, its time, the next scheduled post."""

    value: int
    changed_at: datetime | None
    next_publish_at: datetime | None

    def schedule_has_come(self, now):
        return self.next_publish_at is not None and self.next_publish_at <= now


CURRENT_GENERATION = Prepared(
    lambda: ContentGeneration.objects.filter(pk=1).values_list("value", "changed_at", "next_publish_at")
)


def current_state(using="default"):
    """The ContentState, by a prepared query (blog.compiled_sql): every public request reads it."""
    found = CURRENT_GENERATION.rows(using=using)
    if not found:
        # Migration 0004 creates the row; a flushed test database (TransactionTestCase) may not have it.
        content_changed()
        found = CURRENT_GENERATION.rows(using=using)
    return ContentState(*found[0])


def content_state():
    """The content generation, moved first when a scheduled post has appeared since the last write."""
    generation = current_state()
    if generation.schedule_has_come(timezone.now()):
        content_changed(scheduled=generation.next_publish_at)
        generation = current_state()
    return generation


def current_tokens(keys):
    """The token of each key (None: never moved) and the content generation, in one query.

    Every page's keys include EVERYTHING and LISTS, whose rows always exist, so the generation comes back.
    """
    generation = Subquery(ContentGeneration.objects.filter(pk=1).values("value"))
    rows = ContentToken.objects.filter(key__in=keys).annotate(generation=generation)
    found = {key: (token, value) for key, token, value in rows.values_list("key", "token", "generation")}
    tokens = {key: found[key][0] if key in found else None for key in keys}
    return tokens, next((value for _token, value in found.values()), None)


@dataclass
class Changes:
    """What the writes of one changes_together() block moved, to be moved once when it ends."""

    moved: set = field(default_factory=set)
    changed_at: datetime | None = None
    posts_dated: bool = False
    retracted: bool = False

    def add(self, changed_at, moved, posts_dated, retracted):
        self.moved.update(moved)
        if changed_at is not None and (self.changed_at is None or changed_at > self.changed_at):
            self.changed_at = changed_at
        self.posts_dated |= posts_dated
        self.retracted |= retracted


GATHERING = ContextVar("content_changes_gathered", default=None)


@contextmanager
def changes_together():
    """One transaction whose content writes move the state once, when it ends, instead of once per row.

    Saving a post also writes its bylines, tags and links, and each write moves the generation, its keys and
    the months holding essays: an import of hundreds of files paid that thousands of times. Readers lose
    nothing: no other connection sees the writes before the transaction commits, and the state moves in it.
    Nested blocks join the outermost.
    """
    if GATHERING.get() is not None:
        yield
        return
    changes = Changes()
    with transaction.atomic():
        gathering = GATHERING.set(changes)
        try:
            yield
        finally:
            GATHERING.reset(gathering)
        if changes.moved and not transaction.get_rollback():
            content_changed(
                changes.changed_at,
                moved=changes.moved,
                posts_dated=changes.posts_dated,
                retracted=changes.retracted,
            )


def content_changed(changed_at=None, *, moved=(EVERYTHING,), posts_dated=False, scheduled=None, retracted=False):
    """Move the content generation and the `moved` keys: older ETags, and cached pages showing them, are stale.

    `posts_dated`: a post appeared, went or changed its time, language or essay, so the months that hold
    essays are found again (as they are for EVERYTHING); tags, bylines and edits leave them be. With
    `scheduled` (the next_publish_at a reader found passed), only the first of several concurrent readers
    moves the generation, so a post appearing moves it once and the others do no work. `retracted`: something
    readers could see was taken down, so the edge drops what it moved for good (blog.caching.edge, a hard purge).
    Inside changes_together() a write's changes are gathered and moved once at its end.
    """
    changes = GATHERING.get()
    if changes is not None and scheduled is None:
        changes.add(changed_at, moved, posts_dated, retracted)
        return
    now = timezone.now()
    row = ContentGeneration.objects.filter(pk=1)
    if scheduled is not None:
        row = row.filter(next_publish_at=scheduled)
    # One transaction: a page rendered meanwhile sees all of it or none (blog.caching.pages checks the generation last).
    with transaction.atomic():
        if not row.update(value=F("value") + 1, changed_at=changed_at or now):
            if scheduled is not None:
                return
            # Migration 0004 creates the row; a flushed test database may not have it.
            ContentGeneration.objects.bulk_create([ContentGeneration(pk=1, value=1)], ignore_conflicts=True)
            posts_dated = True
        # Edges keep pages labelled with these keys (blog.caching.edge): purged once this transaction commits.
        purge_after_commit(moved, hard=retracted)
        ContentToken.objects.bulk_create(
            [ContentToken(key=key) for key in set(moved)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["token"],
        )
        upcoming = Post.objects.filter(status=Post.Status.PUBLISHED, publish_at__gt=now).aggregate(
            first=Min("publish_at")
        )
        derived = {"next_publish_at": upcoming["first"]}
        if posts_dated or EVERYTHING in moved:
            derived["months"] = months_by_language()
        ContentGeneration.objects.filter(pk=1).update(**derived)


def months_by_language():
    """ContentGeneration.months as the published posts are now, in the site's time zone."""
    with timezone.override(settings.TIME_ZONE):
        return {
            language: [f"{month:%Y-%m}" for month in months_holding(Post.objects.published().one_per_essay(language))]
            for language, _name in settings.LANGUAGES
        }


# Fields that decide where a post appears in lists, feeds, archives and neighbours.
LIST_FIELDS = ("status", "publish_at", "language", "slug", "translation_key")


def retracts(post, before):
    """Whether saving `post` takes down what readers could see or were about to: unpublished, back to draft from
    scheduled, or moved from the past into the future."""
    if before is None or before["status"] != Post.Status.PUBLISHED:
        return False
    if post.status != Post.Status.PUBLISHED:
        return True
    now = timezone.now()
    return before["publish_at"] <= now < post.publish_at


def keys_moved_by_save(post):
    """What a reader may see change when `post` is saved as it is now (see ContentToken).

    Editing a draft that was never public changes nothing a reader sees: caches and ETags stay valid.
    Changing what places a post in lists (status, time, language, slug, essay) moves every list too.
    """
    before = Post.objects.filter(pk=post.pk).values(*LIST_FIELDS).first() if post.pk is not None else None
    post._retracts = retracts(post, before)
    if post.status != Post.Status.PUBLISHED and (before is None or before["status"] != Post.Status.PUBLISHED):
        return set()
    moved = {essay_key(post.translation_key)}
    if before is None or any(before[field] != getattr(post, field) for field in LIST_FIELDS):
        moved.add(LISTS)
    if before is not None and before["translation_key"] != post.translation_key:
        moved.add(essay_key(before["translation_key"]))
    return moved


CONTENT_MODELS = (Author, Tag, TagName, Post, PostAuthor, RelatedPost, RelatedLink, Post.tags.through)


def essay_of(post_id, key=essay_key):
    translation_key = Post.objects.filter(pk=post_id).values_list("translation_key", flat=True).first()
    return key(translation_key) if translation_key else EVERYTHING


def keys_moved(instance, *, deleted=False):
    """The ContentToken keys that saving or deleting `instance` moves: what pages showing it print."""
    if isinstance(instance, Post):
        if deleted:
            return {essay_key(instance.translation_key), LISTS}
        return getattr(instance, "_moved", {EVERYTHING})  # a raw save (loaddata) skips _post_saving
    if isinstance(instance, Tag):
        return {tag_key(instance.pk), LISTS} if deleted else {tag_key(instance.pk)}
    if isinstance(instance, Author):
        return {author_key(instance.pk), LISTS} if deleted else {author_key(instance.pk)}
    if isinstance(instance, TagName):
        return {tag_key(instance.tag_id)}  # every page printing the tag, in whichever language
    if isinstance(instance, (PostAuthor, Post.tags.through)):
        # Bylines and tags also decide which author and tag pages list the post.
        return {essay_of(instance.post_id), LISTS}
    if isinstance(instance, RelatedPost):
        return {essay_of(instance.from_post_id, essay_page_key)}
    if isinstance(instance, RelatedLink):
        return {essay_of(instance.post_id, essay_page_key)}
    return {EVERYTHING}


def _post_saving(sender, instance, raw, **kwargs):
    # Before the write, while the row still says where the post was: afterwards its old place is lost.
    if not raw:
        instance._moved = keys_moved_by_save(instance)


def _content_saved(sender, instance, **kwargs):
    moved = keys_moved(instance)
    if moved:
        # The row's own edit time, so Last-Modified names the edit itself.
        content_changed(
            getattr(instance, "updated_at", None),
            moved=moved,
            posts_dated=_dates_a_post(instance, moved),
            retracted=getattr(instance, "_retracts", False),
        )


def _content_deleted(sender, instance, **kwargs):
    moved = keys_moved(instance, deleted=True)
    content_changed(moved=moved, posts_dated=_dates_a_post(instance, moved), retracted=isinstance(instance, Post))


def _dates_a_post(instance, moved):
    # For a post, the lists move exactly when its status, time, language, slug or essay did (or it came or went).
    return isinstance(instance, Post) and LISTS in moved


def _bulk_written(sender, **kwargs):
    # A bulk write does not say what it changed; it may have unpublished posts, so nothing it moved stays in grace.
    content_changed(retracted=True)


def _tags_changed(sender, instance, action, reverse, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        # From a post's side, that essay and the lists; from a tag's side, whichever posts it was (clear does not say).
        content_changed(moved={essay_key(instance.translation_key), LISTS} if not reverse else {EVERYTHING})


def connect():
    """Connect the receivers that move the state (BlogConfig.ready() calls this once the models are loaded).

    Receivers rather than save()/delete() overrides: cascades, QuerySet.delete() and m2m add/remove/clear never
    call a model method, and these signals are the one hook that sees every one of those writes.
    """
    for model in CONTENT_MODELS:
        post_save.connect(_content_saved, sender=model, dispatch_uid=f"content-saved-{model._meta.label}")
        post_delete.connect(_content_deleted, sender=model, dispatch_uid=f"content-deleted-{model._meta.label}")
    pre_save.connect(_post_saving, sender=Post, dispatch_uid="content-post-saving")
    content_written.connect(_bulk_written, dispatch_uid="content-bulk-written")
    m2m_changed.connect(_tags_changed, sender=Post.tags.through, dispatch_uid="content-tags-changed")
