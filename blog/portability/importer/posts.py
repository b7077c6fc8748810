"""An Entry written as a Post, with its bylines, tags, links, media and redirects, or left alone.

Importing the same site twice must update what changed and nothing else: no duplicate posts, no new
revision or `updated` time for a file that did not change, and an editor's work kept when the import
is told not to update. This module matches an entry to the post it came from before, writes it inside
the caller's per-file transaction, and compares a snapshot of the post before and after to tell a
created, updated or unchanged post apart (rolling back the unchanged one).
"""

import reversion
from django.contrib.auth import get_user_model
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from blog.editing.forms import edit_stamp
from blog.models import Author, PendingDraft, Post, PostAuthor, RelatedLink, Tag, unique_slug
from blog.portability.importer.redirects import sync_redirects
from blog.portability.importer.report import ImportFailure

KEPT = "already in the database; left as it is"


def save_entry(entry, *, update_existing, assets, warnings):
    """Create or update the post inside the caller's transaction; roll back when nothing changed."""
    post = _existing(entry)
    if post is not None and not update_existing:
        return post, "skipped", KEPT
    before = snapshot(post) if post else None
    previous_url = post.get_absolute_url() if post and post.status == Post.Status.PUBLISHED else None
    if post is None:
        post = Post(source_path=entry.source_path)
    authors = [_find_author(name) for name in entry.authors]
    translators = [_find_author(name) for name in entry.translators]
    tags = [_find_tag(name) for name in entry.tags]

    post.title, post.language, post.summary, post.body = entry.title, entry.language, entry.summary, entry.body
    post.source_path = entry.source_path
    post.status = Post.Status.DRAFT if entry.is_draft else Post.Status.PUBLISHED
    if entry.has_date or post.publish_at is None:
        post.publish_at = entry.publish_at  # a published post without a date keeps its first time
    if entry.translation_key:
        post.translation_key = entry.translation_key
    post.cover_image = entry.cover_name
    post.cover_alt = entry.cover_alt
    post.original_title = entry.original.get("title", "")
    post.original_author = entry.original.get("author", "")
    post.original_url = entry.original.get("url", "")
    post.original_published_on = entry.original.get("date")
    post.doi, post.revised_on = entry.citation["doi"], entry.citation["version"]
    post.extra_front_matter = entry.extra
    post.slug = _free_slug(entry, post, warnings)
    clash = Post.objects.filter(translation_key=post.translation_key, language=post.language).exclude(pk=post.pk)
    if clash.exists():
        other = clash.first()
        raise ImportFailure(
            f"translation key {post.translation_key} already has a version in {post.language} "
            f"({other.source_path or other.slug})"
        )

    assets.store_all(entry.media)
    with reversion.create_revision():
        reversion.set_comment(f"Imported from {entry.source_path}")
        post.save()
        _set_bylines(post, authors, translators)
        post.tags.set(tags)
        _set_links(post, entry.related_links)
    if entry.created_at and entry.created_at != post.created_at:
        # An export keeps when each version was written; which one is the original depends on it.
        Post.objects.filter(pk=post.pk).update(created_at=entry.created_at)
        post.created_at = entry.created_at
    if entry.text_changed and entry.text_changed != post.content_changed_at:
        # The date readers of its outdated translations are told: the text's, not the import's.
        Post.objects.filter(pk=post.pk).update(content_changed_at=entry.text_changed)
        post.content_changed_at = entry.text_changed
    sync_redirects(post, entry.old_paths, previous_url)
    if entry.pending_draft:
        _set_pending_draft(post, entry, warnings)

    after = snapshot(post)
    if before is None:
        return post, "created", post.get_absolute_url()
    if before == after:
        transaction.set_rollback(True)  # no revision, no new `updated` time for an unchanged post
        return post, "skipped", "unchanged"
    return post, "updated", post.get_absolute_url()


def snapshot(post):
    """Everything an import sets on a post, to tell an update from a re-import that changed nothing."""
    site = Site.objects.get_current()
    return {
        "fields": {
            name: getattr(post, name)
            for name in (
                "title", "slug", "language", "translation_key", "status", "publish_at", "summary", "body",
                "body_html", "toc_html", "cover_alt", "original_title", "original_author", "original_url",
                "original_published_on", "doi", "revised_on", "extra_front_matter", "source_path", "created_at",
            )
        } | {"cover_image": post.cover_image.name or ""},
        "authors": list(post.bylines.values_list("author_id", "role")),
        "tags": sorted(post.tags.values_list("pk", flat=True)),
        "links": list(post.related_links.values_list("title", "url", "summary")),
        "redirects": sorted(
            Redirect.objects.filter(site=site, new_path=post.get_absolute_url()).values_list("old_path", flat=True)
        ),
        # Whether the draft is of the post as it is, not the save time it names (which every save moves).
        "pending_draft": [
            (draft.title, draft.summary, draft.body, draft.saved_by_id, draft.saved_at,
             draft.based_on == edit_stamp(post))
            for draft in PendingDraft.objects.filter(post=post)
        ],
    }  # fmt: skip


def _existing(entry):
    existing = Post.objects.filter(source_path=entry.source_path).first()
    if existing is None:
        existing = Post.objects.filter(language=entry.language, slug=entry.slug, source_path="").first()
    return existing


def _find_author(value):
    found = Author.objects.filter(Q(slug=value) | Q(name=value)).first()
    found = found or Author.objects.filter(slug=slugify(value, allow_unicode=True)).first()
    if found is None:
        found = Author(name=value[:200])
        found.save()
    return found


def _find_tag(name):
    found = Tag.objects.filter(name__iexact=name).first()
    found = found or Tag.objects.filter(slug=slugify(name, allow_unicode=True)).first()
    if found is None:
        found = Tag(name=name)
        found.save()
    return found


def _free_slug(entry, post, warnings):
    """The wanted slug, else `<slug>-<year>` (many blogs reuse a slug every year), else numbered."""
    taken = Post.objects.filter(language=post.language).exclude(pk=post.pk)
    candidates = [entry.slug]
    if post.publish_at:
        candidates.append(f"{entry.slug}-{timezone.localtime(post.publish_at).year}")
    for candidate in candidates:
        if not taken.filter(slug=candidate).exists():
            if candidate != entry.slug and entry.slug_is_explicit:
                warnings.append(f"{entry.path}: slug {entry.slug!r} is taken; used {candidate!r}")
            return candidate
    return unique_slug(Post, candidates[-1], scope={"language": post.language}, exclude_pk=post.pk)


def _set_pending_draft(post, entry, warnings):
    """Put the file's pending draft beside `post`, unless the database holds one that may be newer: never lose text."""
    written = entry.pending_draft
    draft = PendingDraft.objects.filter(post=post).first() or PendingDraft(post=post)
    if draft.pk and (written["saved_at"] is None or draft.saved_at > written["saved_at"]):
        warnings.append(
            f"{entry.path}: kept the newer pending draft in the database (saved {draft.saved_at}); "
            "the file's was not imported"
        )
        return
    draft.title = written["title"] or post.title
    draft.summary, draft.body = written["summary"], written["body"]
    draft.saved_by = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: written["saved_by"]}).first()
    # A draft of the post as exported is a draft of the post as imported; one of an older save stays refused.
    draft.based_on = "" if written["of_an_older_save"] else edit_stamp(post)
    draft.save()
    if written["saved_at"]:
        PendingDraft.objects.filter(pk=draft.pk).update(saved_at=written["saved_at"])  # `auto_now` set it to now
        draft.saved_at = written["saved_at"]


def _set_bylines(post, authors, translators):
    """The authors in order, then the translators (who are not also authors) in order."""
    roles = {author.pk: PostAuthor.Role.AUTHOR for author in authors}
    for translator in translators:
        roles.setdefault(translator.pk, PostAuthor.Role.TRANSLATOR)
    if list(post.bylines.values_list("author_id", "role")) != list(roles.items()):
        post.bylines.all().delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=post, author_id=author, role=role, position=position)
            for position, (author, role) in enumerate(roles.items())
        )


def _set_links(post, links):
    current = list(post.related_links.values("title", "url", "summary"))
    if current != links:
        post.related_links.all().delete()
        RelatedLink.objects.bulk_create(
            RelatedLink(post=post, position=position, **link) for position, link in enumerate(links)
        )
