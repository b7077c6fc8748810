"""One Markdown file read into an Entry: everything its Post will hold, checked before the database is touched.

Reading is kept apart from writing so that a file that cannot be imported (not UTF-8, no front matter,
no title, a bad date or URL) is refused with its reason before any row exists, and so that the writer
and the second pass work from one plain record instead of re-reading front matter. The individual
rules live in fields.py, redirects.py and assets.py; this module decides their order, which is also
the order in which a file with several problems reports them.
"""

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils import timezone

from blog.content.control_characters import IN_TITLE
from blog.portability import frontmatter
from blog.portability.importer import fields
from blog.portability.importer.redirects import old_paths
from blog.portability.importer.report import ImportFailure


@dataclass
class Entry:
    """One file's front matter and body, checked and normalised, before anything touches the database."""

    path: Path
    source_path: str
    title: str
    slug: str
    slug_is_explicit: bool
    language: str
    publish_at: object
    has_date: bool
    is_draft: bool
    authors: list
    tags: list
    summary: str
    body: str
    cover_name: str
    cover_alt: str
    original: dict
    citation: dict  # doi, version
    translation_key: object
    translations: list
    related: list
    related_links: list
    old_paths: list
    extra: dict
    media: list  # (source file, media name) pairs to copy
    created_at: object = None
    text_changed: object = None  # when the title, summary or text last changed, as an export says
    # The version this one translates, by language within the essay, and the state of it this one matches.
    translation_of: str | None = None
    source_revision: str = ""
    source_matched: object = None
    pending_draft: dict | None = None  # a published post's unpublished changes, as fields.pending_draft reads them
    translators: list = field(default_factory=list)  # credited as "Translated by", after the authors


def read_entry(site, path, *, default_language, default_author, assets, warnings):
    """The Entry for the file at `path` in `site`; raises ImportFailure with the first reason it cannot be."""
    document = _read_document(path)
    known, extra = frontmatter.split_known(document.metadata)
    title = fields.without_controls(str(known.get("title") or ""), IN_TITLE, "title", path, warnings).strip()
    if not title:
        raise ImportFailure("no title in the front matter")

    relative = path.relative_to(site.root).as_posix()
    stem, file_language, file_date, file_slug = fields.parse_filename(path)
    body = document.body.lstrip("\r\n").rstrip()
    language = fields.language_of(known, file_language, title, body, default_language)
    publish_at, has_date, url_date = fields.publish_date(site, known, file_date)
    explicit_slug = str(known.get("slug") or "").strip()
    slug = fields.post_slug(explicit_slug or file_slug, fallback=title)
    media = []
    body = assets.localize_body(site, path, body, media)
    cover_name, cover_alt = assets.cover(site, path, known, extra, media)
    is_draft = (
        fields.truthy(known.get("draft"))
        or ("published" in known and not fields.truthy(known["published"]))
        or path.parent.name == "_drafts"
    )
    entry = Entry(
        path=path,
        source_path=str(known.get("source_path") or relative)[:500],
        title=title[:300],
        slug=slug,
        slug_is_explicit=bool(explicit_slug),
        language=language,
        publish_at=publish_at,
        has_date=has_date,
        is_draft=is_draft,
        authors=fields.author_names(known.get("authors"))
        or fields.author_names(default_author or fields.site_author(site))
        or _site_default_author(path, warnings),
        tags=fields.tag_names(site, known),
        summary=fields.summary(known.get("summary"), path, warnings),
        body=body,
        cover_name=cover_name,
        cover_alt=cover_alt[:300],
        original=fields.original_work(known.get("original")),
        citation=fields.citation(known.get("citation")),
        translation_key=_translation_key(site, known, relative, stem, file_language),
        translations=fields.translation_refs(known.get("translations")),
        related=[],
        related_links=[],
        old_paths=[],
        extra=extra,
        media=media,
        translators=fields.author_names(known.get("translators")),
    )
    entry.created_at = _exported_moment(known, "created")
    entry.text_changed = _exported_moment(known, "text_changed")
    entry.related, entry.related_links = fields.related(known, entry.path, warnings)
    entry.translation_of, entry.source_revision, entry.source_matched = fields.translation_source(
        known, entry.path, warnings
    )
    entry.old_paths = old_paths(site, known, entry, file_slug, url_date, relative, warnings)
    entry.pending_draft = fields.pending_draft(known, entry.path, warnings)
    return entry


def _site_default_author(path, warnings):
    """[the site's default author] for a file that names none, with a warning: every post needs a byline."""
    warnings.append(
        f"{path}: no author in the front matter, the options or the site's config; "
        f"credited to the site's default author {settings.BUNKO_DEFAULT_AUTHOR!r} (DEFAULT_AUTHOR)"
    )
    return [settings.BUNKO_DEFAULT_AUTHOR]


def _exported_moment(known, key):
    """A time an export writes (`created`, `text_changed`), None when absent; a bad one refuses the file."""
    if not known.get(key):
        return None
    moment = fields.parse_moment(known[key])
    if moment is None or timezone.is_naive(moment):
        raise ImportFailure(f"invalid {key.replace('_', ' ')} time {known[key]!r}")
    return moment


def _read_document(path):
    """The file's parsed front matter and body, refusing what is not a Markdown post with a reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailure(f"cannot read the file: {exc.strerror}") from exc
    if b"\x00" in raw:
        raise ImportFailure("binary file, not Markdown text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from exc
    try:
        document = frontmatter.parse(text)
    except frontmatter.FrontMatterError as exc:
        raise ImportFailure(str(exc)) from exc
    if not document.style:
        raise ImportFailure("no front matter (a post starts with a --- or +++ block holding its title)")
    return document


def _translation_key(site, known, relative, stem, file_language):
    """The key shared by an essay's versions: as written, else from a Hugo `essay.<lang>.md` name, else none."""
    translation_key = known.get("translation_key")
    if translation_key not in (None, ""):
        return fields.translation_key_from(translation_key)
    if file_language:  # Hugo's `essay.ja.md` + `essay.en.md` are one essay
        return fields.translation_key_from(f"{site.root.name}/{PurePosixPath(relative).parent}/{stem}")
    return None
