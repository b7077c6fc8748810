"""Export every post as Markdown with full front matter, plus media, authors and tags.

A published post's pending draft (its autosaved, unpublished changes) is written into the post's own file, under
`pending_draft`, so a backup holds every text an editor has not yet published or discarded.

The layout mirrors what the importer reads back: `<dir>/<lang>/<date>-<slug>.md`, `<dir>/media/`
holding files under their MEDIA_ROOT names (so `/media/...` links in bodies stay valid), and
`<dir>/authors.yaml` / `<dir>/tags.yaml`. Importing the folder into an empty database gives back the
same posts, fields and relations.
"""

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils import timezone

from blog.editing.forms import edit_stamp
from blog.models import Author, Post, PostAuthor, RelatedPost, Tag
from blog.portability import frontmatter

AUTHOR_FIELDS = ("name", "slug", "bio", "website", "github", "x_handle", "scholar_url", "orcid", "romanized_name")


@dataclass
class ExportReport:
    directory: Path
    posts: int = 0
    authors: int = 0
    tags: int = 0
    media_files: int = 0


def export_all(*, directory):
    """Write every post, whatever its status, and everything it refers to under `directory`."""
    directory = Path(directory)
    report = ExportReport(directory=directory)
    media = set()
    redirects = _redirects_by_target()
    posts = (
        Post.objects.order_by("language", "publish_at", "pk")
        .select_related("translated_from", "pending_draft__saved_by")
        .prefetch_related(
            Prefetch("bylines", queryset=PostAuthor.objects.select_related("author")),
            Prefetch("related_entries", queryset=RelatedPost.objects.select_related("to_post")),
            "tags",
            "related_links",
        )
    )
    for post in posts:
        day = timezone.localdate(post.publish_at or post.created_at)
        path = directory / post.language / f"{day:%Y-%m-%d}-{post.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(frontmatter.dump(post_front_matter(post, redirects), post.body), encoding="utf-8", newline="")
        media.update(_media_names(post.body))
        if post.cover_image:
            media.add(post.cover_image.name)
        report.posts += 1

    authors = list(Author.objects.order_by("slug"))
    for author in authors:
        if author.avatar:
            media.add(author.avatar.name)
    _write_yaml(directory / "authors.yaml", [_author_data(author) for author in authors])
    tags = Tag.objects.order_by("slug").prefetch_related("names")
    _write_yaml(directory / "tags.yaml", [_tag_data(tag) for tag in tags])
    report.authors, report.tags = len(authors), Tag.objects.count()

    for name in sorted(media):
        if default_storage.exists(name):
            target = directory / "media" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name) as source:
                target.write_bytes(source.read())
            report.media_files += 1
    return report


def post_front_matter(post, redirects):
    """Everything the database holds about `post`, under the keys the importer reads."""
    data = {
        "title": post.title,
        "slug": post.slug,
        "lang": post.language,
        "date": _format_moment(post.publish_at),
        "draft": post.status != Post.Status.PUBLISHED,
        "translation_key": str(post.translation_key),
        "authors": [byline.author.slug for byline in post.bylines.all() if byline.role == PostAuthor.Role.AUTHOR],
        "tags": sorted(tag.name for tag in post.tags.all()),
    }
    translators = [byline.author.slug for byline in post.bylines.all() if byline.role == PostAuthor.Role.TRANSLATOR]
    if translators:
        data["translators"] = translators
    if post.translated_from is not None:
        data["translation_of"] = post.translated_from.language
        if post.source_fingerprint:
            data["source_revision"] = post.source_fingerprint
        if post.source_synced_at:
            data["source_matched"] = _format_moment(post.source_synced_at)
    if post.summary:
        data["summary"] = post.summary
    if post.cover_image:
        data["cover"] = settings.MEDIA_URL + post.cover_image.name
    if post.cover_alt:
        data["cover_alt"] = post.cover_alt
    original = {
        "title": post.original_title,
        "author": post.original_author,
        "url": post.original_url,
        "date": post.original_published_on.isoformat() if post.original_published_on else "",
    }
    if any(original.values()):
        data["original"] = {key: value for key, value in original.items() if value}
    citation = {"doi": post.doi, "version": post.revised_on.isoformat() if post.revised_on else ""}
    if any(citation.values()):
        data["citation"] = {key: value for key, value in citation.items() if value}
    related = [{"slug": entry.to_post.slug, "lang": entry.to_post.language} for entry in post.related_entries.all()]
    if related:
        data["related"] = related
    links = [{"title": link.title, "url": link.url, "summary": link.summary} for link in post.related_links.all()]
    if links:
        data["related_links"] = links
    if redirects.get(post.get_absolute_url()):
        data["redirect_from"] = redirects[post.get_absolute_url()]
    if post.source_path:
        data["source_path"] = post.source_path
    data["created"] = _format_moment(post.created_at)
    if post.content_changed_at:
        data["text_changed"] = _format_moment(post.content_changed_at)
    draft = getattr(post, "pending_draft", None)
    if draft is not None:
        data["pending_draft"] = _pending_draft_data(draft, post)
    extra = post.extra_front_matter
    for canonical, spellings in frontmatter.ALIASES.items():
        # An empty field must still be written when the extra keys hold another spelling of it
        # (`description` beside an empty summary), or reading the file back would pick that one up.
        if canonical not in data and canonical not in extra and any(key in extra for key in spellings):
            data[canonical] = ""
    for key, value in extra.items():
        data.setdefault(key, value)
    return data


def _pending_draft_data(draft, post):
    """A published post's unpublished changes, under the keys importer.fields.pending_draft reads."""
    data = {"title": draft.title}
    if draft.summary:
        data["summary"] = draft.summary
    data["body"] = draft.body
    if draft.saved_by is not None:
        data["saved_by"] = draft.saved_by.get_username()
    data["saved_at"] = _format_moment(draft.saved_at)
    if draft.based_on != edit_stamp(post):
        data["of_an_older_save"] = True  # the post was saved since: publishing the draft stays refused
    return data


def _format_moment(moment):
    """`2024-03-01 09:30:00 +0900` as Jekyll writes it; microseconds only when there are some."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S.%f %z" if local.microsecond else "%Y-%m-%d %H:%M:%S %z")


def _redirects_by_target():
    """Old URLs grouped by the post URL they lead to, so each post's file lists its `redirect_from`."""
    grouped = {}
    site = Site.objects.get_current()
    rows = Redirect.objects.filter(site=site).order_by("old_path").values_list("old_path", "new_path")
    for old_path, new_path in rows:
        grouped.setdefault(new_path, []).append(unquote(old_path))
    return grouped


def _media_names(body):
    """Names (relative to MEDIA_ROOT) of the media files a body links to."""
    pattern = re.escape(settings.MEDIA_URL) + r"([^\s)\"'<>#?]+)"
    names = {unquote(match) for match in re.findall(pattern, body)}
    # A body may say anything; never follow `..` out of MEDIA_ROOT or out of the export folder.
    return {name for name in names if ".." not in PurePosixPath(name).parts}


def _author_data(author):
    data = {name: getattr(author, name) for name in AUTHOR_FIELDS if getattr(author, name)}
    if author.avatar:
        data["avatar"] = settings.MEDIA_URL + author.avatar.name
    return data


def _tag_data(tag):
    """The tag, with its name, slug (and description) in each language that has one under `languages`."""
    data = {"name": tag.name, "slug": tag.slug}
    if tag.description:
        data["description"] = tag.description
    languages = {
        local.language: {"name": local.name, "slug": local.slug}
        | ({"description": local.description} if local.description else {})
        for local in tag.names.all()
    }
    if languages:
        data["languages"] = languages
    return data


def _write_yaml(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frontmatter.dump_yaml(data), encoding="utf-8")
