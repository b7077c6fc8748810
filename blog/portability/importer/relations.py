"""The second pass: links between posts (related posts, translations and what each translates, Liquid
`{% link %}`) made once all exist.

A file may name a post that comes later in the import, or in another folder given on the same command
line, so these links cannot be made while files are written one by one. After every file is in, this
module resolves each reference, links translations under one key, and renders again the bodies whose
Liquid links now have a target. A link that cannot be made is a warning, never a failure of the file,
because the post itself was imported correctly.
"""

from django.db import DatabaseError
from django.utils import timezone
from django.utils.text import slugify

from blog.caching import changes_together
from blog.content import translation_drift
from blog.models import Post, RelatedPost
from blog.portability.importer.sites import MARKDOWN_SUFFIXES


def resolve_relations(entry, post, result, warnings):
    """Link `post` to the posts its file names; a `skipped` result becomes `updated` when a link changed."""
    try:
        with changes_together():
            changed = _set_related(entry, post, warnings)
            changed = _link_translations(entry, post, warnings) or changed
            changed = _link_source(entry, post, warnings) or changed
            changed = _rerender(post) or changed
    except DatabaseError as exc:
        warnings.append(f"{entry.path}: related posts or translations not linked: {exc}")
        return
    if changed and result.outcome == "skipped":
        result.outcome, result.detail = "updated", post.get_absolute_url()


def _find_post(ref, language):
    slug = ref["slug"].strip()
    if slug.endswith(tuple(MARKDOWN_SUFFIXES)):
        return Post.objects.filter(source_path=slug.lstrip("/")).first()
    candidates = Post.objects.filter(slug=slugify(slug, allow_unicode=True) or slug)
    if ref.get("lang"):
        return candidates.filter(language=ref["lang"]).first()
    return candidates.filter(language=language).first() or candidates.order_by("pk").first()


def _set_related(entry, post, warnings):
    wanted = []
    for ref in entry.related:
        other = _find_post(ref, post.language)
        if other is None:
            warnings.append(f"{entry.path}: related post {ref['slug']!r} not found")
        elif other.pk != post.pk and other.pk not in wanted:
            wanted.append(other.pk)
    if list(post.related_entries.values_list("to_post_id", flat=True)) == wanted:
        return False
    post.related_entries.all().delete()
    RelatedPost.objects.bulk_create(
        RelatedPost(from_post=post, to_post_id=pk, position=position) for position, pk in enumerate(wanted)
    )
    return True


def _link_translations(entry, post, warnings):
    """Give every post named in `translations:` this post's translation key."""
    changed = False
    for ref in entry.translations:
        sibling = _find_post(ref, ref.get("lang") or "")
        if sibling is None:
            warnings.append(f"{entry.path}: translation {ref['slug']!r} not found")
            continue
        if sibling.translation_key == post.translation_key or sibling.pk == post.pk:
            continue
        if Post.objects.filter(translation_key=post.translation_key, language=sibling.language).exists():
            warnings.append(
                f"{entry.path}: {sibling.slug!r} not linked; this essay already has a {sibling.language} version"
            )
            continue
        sibling.translation_key = post.translation_key
        sibling.save(update_fields=["translation_key"])
        changed = True
    return changed


def _link_source(entry, post, warnings):
    """Record the version `post` translates (`translation_of`) and the state of it `post` matches.

    Without `source_revision` the translation is taken to match its source as imported. The source's text at
    that revision is kept for the diff only when it is the text the source has now.
    """
    if not entry.translation_of:
        return False
    source = Post.objects.filter(translation_key=post.translation_key, language=entry.translation_of).first()
    if source is None or source.pk == post.pk:
        warnings.append(f"{entry.path}: translation_of {entry.translation_of!r}: no other version in that language")
        return False
    revision = entry.source_revision or source.content_fingerprint
    wanted = {
        "translated_from": source,
        "source_fingerprint": revision,
        "source_synced_at": entry.source_matched or post.source_synced_at or timezone.now(),
        "source_base": translation_drift.text_of(source) if revision == source.content_fingerprint else {},
    }
    if all(getattr(post, field) == value for field, value in wanted.items()):
        return False
    for field, value in wanted.items():
        setattr(post, field, value)
    post.save(update_fields=list(wanted))
    return True


def _rerender(post):
    """Liquid links render once their target exists, so render again after every file is in."""
    if "{%" not in post.body:
        return False
    before = (post.body_html, post.toc_html)
    post.render()
    if (post.body_html, post.toc_html) == before:
        return False
    post.save(update_fields=["body_html", "toc_html"])
    return True
