"""Import Markdown posts with front matter (a Jekyll or Hugo site, or a plain folder) into Bunko.

Each file becomes one Post, matched on later imports by its path inside the site (or by slug and
language), so importing again updates instead of duplicating. Each file is written in its own
transaction: a broken file is reported with its reason and leaves nothing behind, and the rest go on.
Relations that point at other files (related posts, translations, Liquid `{% link %}`) are resolved
in a second pass, so they work whatever order the files come in.
"""

import datetime
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reversion
import yaml
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import escape_uri_path
from django.utils.text import slugify

from blog.models import Author, Post, PostAuthor, RelatedLink, RelatedPost, Tag, unique_slug
from blog.portability import frontmatter

MARKDOWN_SUFFIXES = {".md", ".markdown"}
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
HUGO_CONFIGS = ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml")
# Local links to these are pages, not files to copy into media.
PAGE_SUFFIXES = MARKDOWN_SUFFIXES | {".html", ".htm"}
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
# A stable namespace, so a translation key written as a word ("ucl-stay") gives the same UUID every time.
TRANSLATION_KEY_NAMESPACE = uuid.UUID("6f1d3c1e-2b7a-5c0e-9a55-62756e6b6f00")

LANGUAGE_ALIASES = {
    "ja": "ja", "jp": "ja", "jpn": "ja", "japanese": "ja", "日本語": "ja",
    "zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "chinese": "zh-hans",
    "zho": "zh-hans", "中文": "zh-hans", "简体中文": "zh-hans",
    "en": "en", "eng": "en", "english": "en",
}  # fmt: skip
KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

JEKYLL_FILENAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
LIQUID_SITE_PREFIX = re.compile(r"\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}")
LIQUID_URL_FILTER = re.compile(r"""\{\{-?\s*['"]([^'"]+)['"]\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}""")
# Where a Markdown or HTML body names a file: inline links/images, reference definitions, HTML attributes.
_TARGET = r"(?:\{\{.*?\}\}|[^\s)<>\"'])+"
MARKDOWN_TARGET = re.compile(r"(\]\(\s*<?)(" + _TARGET + ")")
REFERENCE_TARGET = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*<?)(" + _TARGET + ")", re.MULTILINE)
HTML_TARGET = re.compile(r"""(\b(?:src|href|poster)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE)
# Code is left exactly as written: fenced blocks and Liquid highlight blocks.
CODE_BLOCK = re.compile(
    r"(^(?P<fence>`{3,}|~{3,}).*?^(?P=fence)[ \t]*$|\{%-?\s*highlight\b.*?\{%-?\s*endhighlight\s*-?%\})",
    re.MULTILINE | re.DOTALL,
)


KEPT = "already in the database; left as it is"


class ImportFailure(Exception):
    """This file cannot be imported; the message is the reason shown to the person importing."""


@dataclass
class FileResult:
    path: str
    outcome: str  # created, updated, skipped or failed
    detail: str = ""


@dataclass
class ImportReport:
    dry_run: bool = False
    results: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    files_copied: int = 0

    def count(self, outcome):
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def created(self):
        return self.count("created")

    @property
    def updated(self):
        return self.count("updated")

    @property
    def skipped(self):
        return self.count("skipped")

    @property
    def failed(self):
        return self.count("failed")

    def failures(self):
        return [result for result in self.results if result.outcome == "failed"]


@dataclass
class SiteInfo:
    """What the importer needs to know about where a file came from."""

    root: Path
    kind: str  # "jekyll", "hugo" or "plain"
    config: dict = field(default_factory=dict)

    @property
    def timezone(self):
        """The site's zone when its config names a real one (Jekyll's `timezone`, Hugo's `timeZone`)."""
        name = self.config.get("timezone") or self.config.get("timeZone")
        if isinstance(name, str):
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return None

    @property
    def url(self):
        """The old site's address (Jekyll's `url` + `baseurl`, Hugo's `baseURL`), without a trailing slash."""
        url = str(self.config.get("url") or self.config.get("baseURL") or "").rstrip("/")
        if self.config.get("baseurl") and url:
            url += "/" + str(self.config["baseurl"]).strip("/")
        return url.rstrip("/")

    @property
    def base_path(self):
        """Jekyll's `baseurl` (or the path of Hugo's `baseURL`): the prefix of every old URL."""
        base = self.config.get("baseurl") or urlsplit(str(self.config.get("baseURL") or "")).path
        return "/" + str(base).strip("/") if str(base or "").strip("/") else ""


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
    translation_key: object
    translations: list
    related: list
    related_links: list
    old_paths: list
    extra: dict
    media: list  # (source file, media name) pairs to copy
    created_at: object = None


def import_paths(*, paths, language=None, author=None, site_url=None, dry_run=False, update_existing=True):
    """Import every Markdown post under `paths`; return counts and a line per file.

    With `update_existing=False` posts, authors and tags already in the database are left as they
    are (the demo loader uses this, so `make run` never reverts an editor's changes).
    """
    importer = _Importer(
        language=language, author=author, site_url=site_url, dry_run=dry_run, update_existing=update_existing
    )
    if not dry_run:
        return importer.run(paths)
    # A dry run does the real work inside one transaction and rolls it back; no media is written.
    with transaction.atomic():
        report = importer.run(paths)
        transaction.set_rollback(True)
    return report


def normalize_language(value):
    """Map `ja`, `japanese`, `zh-CN`, `english`, `en-US`... onto Bunko's codes; None if unknown."""
    text = str(value).strip().lower().replace("_", "-")
    if text in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[text]
    return LANGUAGE_ALIASES.get(text.split("-")[0])


def detect_language(text):
    """Kana means Japanese; Han characters without kana mean Chinese; anything else is English."""
    if KANA.search(text):
        return "ja"
    if HAN.search(text):
        return "zh-hans"
    return "en"


def translation_key_from(value):
    """A UUID as written, or a stable UUID derived from any other word or number."""
    text = str(value).strip()
    try:
        return uuid.UUID(text)
    except ValueError:
        return uuid.uuid5(TRANSLATION_KEY_NAMESPACE, text)


def discover(path):
    """Return the site a path belongs to and the Markdown files to import from it."""
    path = Path(path)
    if path.is_file():
        return _site_of_file(path), [path]
    if (path / "_posts").is_dir():
        site = SiteInfo(root=path, kind="jekyll", config=_read_config(path, "jekyll"))
        return site, _markdown_files(path / "_posts") + _markdown_files(path / "_drafts")
    if path.name in ("_posts", "_drafts"):
        site = SiteInfo(root=path.parent, kind="jekyll", config=_read_config(path.parent, "jekyll"))
        return site, _markdown_files(path)
    hugo_root = _hugo_root(path)
    if hugo_root == path:
        posts = path / "content" / "posts"
        site = SiteInfo(root=path, kind="hugo", config=_read_config(path, "hugo"))
        return site, _markdown_files(posts if posts.is_dir() else path / "content")
    if hugo_root:
        return SiteInfo(root=hugo_root, kind="hugo", config=_read_config(hugo_root, "hugo")), _markdown_files(path)
    return SiteInfo(root=path, kind="plain"), _markdown_files(path)


def _site_of_file(path):
    if path.parent.name in ("_posts", "_drafts"):
        root = path.parent.parent
        return SiteInfo(root=root, kind="jekyll", config=_read_config(root, "jekyll"))
    hugo_root = _hugo_root(path.parent)
    if hugo_root and hugo_root != path.parent:
        return SiteInfo(root=hugo_root, kind="hugo", config=_read_config(hugo_root, "hugo"))
    return SiteInfo(root=path.parent, kind="plain")


def _hugo_root(folder):
    """The Hugo site `folder` is (or is inside the `content/` of): a folder with a Hugo config file."""
    for candidate in (folder, *folder.parents):
        content = candidate / "content"
        inside = candidate == folder or content in (folder, *folder.parents)
        if inside and content.is_dir() and any((candidate / name).is_file() for name in HUGO_CONFIGS):
            return candidate
    return None


def _markdown_files(folder):
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in MARKDOWN_SUFFIXES
        and path.is_file()
        and path.name != "_index.md"  # Hugo's section list pages are not posts
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _read_config(root, kind):
    """The site's _config.yml / hugo.toml as a dict; an unreadable config is treated as empty."""
    for name in JEKYLL_CONFIGS if kind == "jekyll" else HUGO_CONFIGS:
        config_path = root / name
        if config_path.is_file():
            text = config_path.read_text(encoding="utf-8", errors="replace")
            fence = frontmatter.TOML_FENCE if name.endswith(".toml") else frontmatter.YAML_FENCE
            try:
                return frontmatter.parse(f"{fence}\n{text}\n{fence}\n").metadata
            except frontmatter.FrontMatterError:
                return {}
    return {}


def _as_list(value):
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return bool(value)


class _Importer:
    def __init__(self, *, language, author, site_url, dry_run, update_existing):
        self.language = normalize_language(language) if language else None
        if language and not self.language:
            raise ValueError(f"Unknown language {language!r}; use ja, zh-hans or en.")
        self.default_author = author
        self.site_url = (site_url or "").rstrip("/")
        self.dry_run = dry_run
        self.update_existing = update_existing
        self.report = ImportReport(dry_run=dry_run)
        self.copied = set()

    # -- the two passes -------------------------------------------------------------------------

    def run(self, paths):
        imported = []  # (entry, post, result) for the second pass
        for given in paths:
            given = Path(given)
            if not given.exists():
                self.report.results.append(FileResult(str(given), "failed", "no such file or folder"))
                continue
            site, files = discover(given)
            self._import_data_files(site)
            for path in files:
                imported.extend(self._import_file(site, path))
        for entry, post, result in imported:
            self._resolve_relations(entry, post, result)
        return self.report

    def _import_file(self, site, path):
        display = str(path)
        try:
            entry = self._read_entry(site, path)
            with transaction.atomic():
                post, outcome, detail = self._save_entry(site, entry)
        except (ImportFailure, DatabaseError) as exc:
            self.report.results.append(FileResult(display, "failed", str(exc)))
            return []
        result = FileResult(display, outcome, detail)
        self.report.results.append(result)
        if detail == KEPT:
            return []  # not touched, so neither are its relations
        if outcome == "skipped":
            post = Post.objects.get(pk=post.pk)  # the rolled-back instance holds no more than the database
        return [(entry, post, result)]

    # -- reading a file -------------------------------------------------------------------------

    def _read_entry(self, site, path):
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
        known, extra = frontmatter.split_known(document.metadata)
        title = str(known.get("title") or "").strip()
        if not title:
            raise ImportFailure("no title in the front matter")

        relative = path.relative_to(site.root).as_posix()
        stem, file_language, file_date, file_slug = self._parse_filename(path)
        body = document.body.lstrip("\r\n").rstrip()
        language = self._language(known, file_language, title, body)
        publish_at, has_date, url_date = self._date(site, known, file_date)
        explicit_slug = str(known.get("slug") or "").strip()
        slug = self._slugify(explicit_slug or file_slug, fallback=title)
        media = []
        body = self._localize_body(site, path, body, media)
        cover_name, cover_alt = self._cover(site, path, known, extra, media)
        is_draft = (
            _truthy(known.get("draft"))
            or ("published" in known and not _truthy(known["published"]))
            or path.parent.name == "_drafts"
        )
        translation_key = known.get("translation_key")
        if translation_key not in (None, ""):
            translation_key = translation_key_from(translation_key)
        elif file_language:  # Hugo's `essay.ja.md` + `essay.en.md` are one essay
            translation_key = translation_key_from(f"{site.root.name}/{PurePosixPath(relative).parent}/{stem}")
        else:
            translation_key = None
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
            authors=self._names(known.get("authors")) or self._names(self.default_author or self._site_author(site)),
            tags=self._tags(site, known),
            summary=str(known.get("summary") or "").strip(),
            body=body,
            cover_name=cover_name,
            cover_alt=cover_alt[:300],
            original=self._original(known.get("original")),
            translation_key=translation_key,
            translations=self._translation_refs(known.get("translations")),
            related=[],
            related_links=[],
            old_paths=[],
            extra=extra,
            media=media,
        )
        if known.get("created"):
            entry.created_at = _parse_moment(known["created"])
            if entry.created_at is None or timezone.is_naive(entry.created_at):
                raise ImportFailure(f"invalid created time {known['created']!r}")
        self._related(known, entry)
        entry.old_paths = self._old_paths(site, known, entry, file_slug, url_date, relative)
        return entry

    def _parse_filename(self, path):
        """(stem, language suffix, date, slug) from `2019-10-09-ucl-life.md`, `essay.ja.md`, `bundle/index.md`."""
        stem = path.parent.name if path.stem in ("index", "_index") else path.stem
        file_language = None
        if "." in stem:
            base, suffix = stem.rsplit(".", 1)
            if normalize_language(suffix) and len(suffix) <= 7:
                stem, file_language = base, normalize_language(suffix)
        match = JEKYLL_FILENAME.match(stem)
        if match:
            year, month, day, slug = match.groups()
            try:
                return stem, file_language, datetime.date(int(year), int(month), int(day)), slug
            except ValueError:
                pass
        return stem, file_language, None, stem

    def _slugify(self, text, *, fallback):
        slug = slugify(str(text), allow_unicode=True)[:190].strip("-")
        return slug or slugify(fallback, allow_unicode=True)[:190].strip("-") or "post"

    def _language(self, known, file_language, title, body):
        written = known.get("lang")
        if written not in (None, ""):
            language = normalize_language(written)
            if not language:
                raise ImportFailure(f"unsupported language {written!r} (Bunko publishes ja, zh-hans and en)")
            return language
        return file_language or self.language or detect_language(f"{title}\n{body}")

    def _date(self, site, known, file_date):
        """(publish time, whether the file sets one, the local date/time its old URL was built from)."""
        zone = site.timezone or timezone.get_default_timezone()
        if "date" in known:
            value = known["date"]
            if value in (None, ""):
                return None, True, None
            written = _parse_moment(value)
            if written is None:
                raise ImportFailure(f"invalid date {value!r}; write it like 2024-03-01 09:30:00 +0900")
            if timezone.is_naive(written):
                written = timezone.make_aware(written, zone)
            return written, True, written.astimezone(site.timezone) if site.timezone else written
        if file_date:
            written = timezone.make_aware(datetime.datetime.combine(file_date, datetime.time()), zone)
            return written, False, written
        return None, False, None

    def _names(self, value):
        names = []
        for item in _as_list(value):
            if isinstance(item, dict):
                item = item.get("slug") or item.get("name") or ""
            item = str(item).strip()
            if item and item not in names:
                names.append(item)
        return names

    def _site_author(self, site):
        author = site.config.get("author") or (site.config.get("params") or {}).get("author")
        return author.get("name") if isinstance(author, dict) else author

    def _tags(self, site, known):
        names = []
        for key in ("tags", "categories"):
            value = known.get(key)
            if isinstance(value, str):
                # Jekyll reads `tags: a b` as two tags; a comma list is the common hand-written form.
                value = value.split(",") if "," in value else (value.split() if site.kind == "jekyll" else [value])
            for item in _as_list(value):
                name = str(item).strip()[:100]
                if name and name.casefold() not in {existing.casefold() for existing in names}:
                    names.append(name)
        return names

    def _original(self, value):
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            value = {"url": value}
        if not isinstance(value, dict):
            raise ImportFailure("`original` must be a URL or a mapping with title, author, url and date")
        original = {
            "title": str(value.get("title") or "").strip()[:300],
            "author": str(value.get("author") or "").strip()[:200],
            "url": self._checked_url(value.get("url") or value.get("link"), "original url"),
            "date": None,
        }
        if value.get("date") not in (None, ""):
            moment = _parse_moment(value["date"])
            if moment is None:
                raise ImportFailure(f"invalid original date {value['date']!r}")
            original["date"] = moment.date()
        return original

    def _checked_url(self, value, what):
        url = str(value or "").strip()
        if not url:
            return ""
        try:
            URLValidator()(url)
        except ValidationError:
            raise ImportFailure(f"{what} {url!r} is not a valid http(s) URL") from None
        if len(url) > 500:
            raise ImportFailure(f"{what} is longer than 500 characters")
        return url

    def _translation_refs(self, value):
        if isinstance(value, dict):
            return [{"lang": normalize_language(lang), "slug": str(slug)} for lang, slug in value.items()]
        return [self._post_ref(item) for item in _as_list(value)]

    def _post_ref(self, item):
        """A reference to another post: `slug`, `_posts/2020-01-01-x.md`, or {slug, lang}."""
        if isinstance(item, dict):
            lang = item.get("lang") or item.get("language")
            return {"slug": str(item.get("slug") or ""), "lang": normalize_language(lang) if lang else None}
        return {"slug": str(item), "lang": None}

    def _related(self, known, entry):
        for item in _as_list(known.get("related")) + _as_list(known.get("related_links")):
            if isinstance(item, dict) and item.get("url"):
                entry.related_links.append(
                    {
                        "title": str(item.get("title") or item["url"]).strip()[:300],
                        "url": self._checked_url(item["url"], "related link"),
                        "summary": str(item.get("summary") or "").strip(),
                    }
                )
            elif isinstance(item, (str, dict)) and self._post_ref(item)["slug"]:
                entry.related.append(self._post_ref(item))
            else:
                self.report.warnings.append(f"{entry.path}: related entry {item!r} has neither a slug nor a url")

    # -- old URLs -------------------------------------------------------------------------------

    def _old_paths(self, site, known, entry, file_slug, url_date, relative):
        """Paths the post answered at on the old site: its default permalink plus `redirect_from`."""
        paths = []
        permalink = known.get("permalink")
        if site.kind == "jekyll" and not entry.is_draft and url_date is not None:
            template = str(permalink or site.config.get("permalink") or "date")
            template = JEKYLL_STYLES.get(template, template)
            categories = [str(item).lower() for item in _as_list(known.get("categories"))]
            title = str(known.get("slug") or file_slug)
            paths += self._jekyll_variants(site.base_path + _expand_jekyll(template, url_date, title, categories))
        elif site.kind == "hugo" and not entry.is_draft:
            # Hugo's default URL: /<section>/<slug or file name>/, lower-cased.
            folders = PurePosixPath(relative).parts[1:-1]
            if PurePosixPath(relative).stem == "index":  # a page bundle: its folder is the post
                folders = folders[:-1]
            section = f"/{folders[0]}" if folders else ""
            name = str(known.get("slug") or file_slug).lower()
            paths.append(str(permalink) if permalink else f"{site.base_path}{section}/{name}/")
        elif permalink:
            paths.append(str(permalink))
        for alias in _as_list(known.get("redirect_from")):
            alias = str(alias)
            if site.kind == "hugo" and not alias.startswith(("/", "http")):
                alias = f"{site.base_path}/posts/{alias}"
            paths.append(alias)
        cleaned = []
        for old in paths:
            old = urlsplit(old).path if "://" in old else old
            old = escape_uri_path(unquote("/" + old.lstrip("/")))
            if len(old) > 200:
                self.report.warnings.append(f"{entry.path}: old URL {old} is too long to redirect")
            elif old not in cleaned and old != "/":
                cleaned.append(old)
        return cleaned

    def _jekyll_variants(self, url):
        """GitHub Pages answers `/a/b` and `/a/b.html` alike, so links in the wild use both."""
        if url.endswith("/") or "." in url.rsplit("/", 1)[-1]:
            return [url]
        return [url, url + ".html"]

    # -- media ----------------------------------------------------------------------------------

    def _localize_body(self, site, path, body, media):
        """Rewrite links to the site's own files into media URLs, leaving code and remote URLs alone."""

        def replace(prefix, target, suffix=""):
            new = self._localize(site, path, target, media)
            return f"{prefix}{new or target}{suffix}"

        def rewrite(segment):
            segment = MARKDOWN_TARGET.sub(lambda m: replace(m.group(1), m.group(2)), segment)
            segment = REFERENCE_TARGET.sub(lambda m: replace(m.group(1), m.group(2)), segment)
            return HTML_TARGET.sub(lambda m: replace(m.group(1) + m.group(2), m.group(3), m.group(2)), segment)

        parts = CODE_BLOCK.split(body)
        # split() interleaves text, the whole code block, and the `fence` group; only text is rewritten.
        out, index = [], 0
        while index < len(parts):
            out.append(rewrite(parts[index]))
            if index + 1 < len(parts):
                out.append(parts[index + 1])
            index += 3
        return "".join(out)

    def _localize(self, site, path, target, media):
        """The media URL for a link to one of the site's files, or None to leave the link as it is."""
        url = LIQUID_URL_FILTER.sub(r"\1", target)
        url = LIQUID_SITE_PREFIX.sub("", url).strip()
        for site_url in (self.site_url, site.url):
            if site_url and url.startswith(site_url + "/"):
                url = url[len(site_url) :]
                break
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        link_path = unquote(parts.path)
        base = site.base_path
        if base and link_path.startswith(base + "/"):
            link_path = link_path[len(base) :]
        media_prefix = urlsplit(settings.MEDIA_URL).path
        if link_path.startswith(media_prefix):
            # An exported site keeps media under media/, mirroring MEDIA_ROOT: restore the same names.
            folder, candidate = site.root / "media", site.root / "media" / link_path[len(media_prefix) :]
            prefix = ""
        elif link_path.startswith("/"):
            folder, candidate, prefix = site.root, site.root / link_path.lstrip("/"), "imported/"
        else:
            folder, candidate, prefix = site.root, path.parent / link_path, "imported/"
        try:
            source = candidate.resolve()
            inside = source.relative_to(folder.resolve())
            is_file = source.is_file()  # raises for a name too long for the file system
        except (OSError, ValueError):
            return None  # outside the site (never read files the import was not given), or no possible file
        if not is_file or source.suffix.lower() in PAGE_SUFFIXES:
            return None
        name = prefix + inside.as_posix()
        media.append((source, name))
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        return settings.MEDIA_URL + quote(name) + fragment

    def _cover(self, site, path, known, extra, media):
        cover = known.get("cover")
        alt = str(known.get("cover_alt") or "")
        if isinstance(cover, dict):
            alt = alt or str(cover.get("alt") or "")
            source = cover.get("src") or cover.get("path") or cover.get("url") or cover.get("image") or ""
        else:
            source = cover or ""
        if not source:
            return "", alt
        found = []
        if self._localize(site, path, str(source), found):
            source_file, name = found[0]
            media.append((source_file, _field_name(name)))
            return _field_name(name), alt
        extra["cover"] = cover  # a remote cover stays a URL, written back on export
        return "", alt

    def _store_media(self, source, name):
        """Copy a file into media under a fixed name; the same bytes are never copied twice."""
        if name in self.copied:
            return
        self.copied.add(name)
        data = source.read_bytes()
        if default_storage.exists(name):
            with default_storage.open(name) as existing:
                if existing.read() == data:
                    return
            if not self.dry_run:
                default_storage.delete(name)
        if not self.dry_run:
            default_storage.save(name, ContentFile(data))
        self.report.files_copied += 1  # a dry run counts what it would copy

    # -- authors.yaml and tags.yaml -------------------------------------------------------------

    def _import_data_files(self, site):
        """Read authors and tags (bios, links, descriptions) from an export or a Jekyll `_data/`."""
        for kind, handler in (("authors", self._upsert_author), ("tags", self._upsert_tag)):
            for name in (f"{kind}.yaml", f"{kind}.yml", f"_data/{kind}.yml", f"_data/{kind}.yaml"):
                data_path = site.root / name
                if not data_path.is_file():
                    continue
                try:
                    items = yaml.safe_load(data_path.read_text(encoding="utf-8"))
                    if isinstance(items, dict):  # {slug: {...}} as Jekyll themes write it
                        items = [{"slug": key, **(value if isinstance(value, dict) else {"name": value})}
                                 for key, value in items.items()]  # fmt: skip
                    if not isinstance(items or [], list):
                        raise ImportFailure("expected a list of entries")
                    with transaction.atomic():
                        for item in items or []:
                            handler(site, data_path, item)
                except (OSError, UnicodeDecodeError, yaml.YAMLError, ImportFailure, DatabaseError) as exc:
                    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    self.report.results.append(FileResult(str(data_path), "failed", f"cannot read {kind}: {reason}"))
                break

    def _upsert_author(self, site, data_path, item):
        if not isinstance(item, dict):
            raise ImportFailure(f"an author entry is not a mapping: {item!r}")
        fields = {
            "name": item.get("name"),
            "bio": item.get("bio"),
            "website": item.get("website") or item.get("web") or item.get("url"),
            "github": item.get("github"),
            "x_handle": item.get("x_handle") or item.get("twitter"),
            "scholar_url": item.get("scholar_url"),
            "orcid": item.get("orcid"),
        }
        fields = {key: str(value).strip() for key, value in fields.items() if value not in (None, "")}
        slug = slugify(str(item.get("slug") or fields.get("name") or ""), allow_unicode=True)
        if not slug:
            raise ImportFailure(f"an author entry has neither slug nor name: {item!r}")
        if item.get("avatar"):
            media = []
            if self._localize(site, data_path, str(item["avatar"]), media):
                source_file, name = media[0]
                self._store_media(source_file, _field_name(name))
                fields["avatar"] = _field_name(name)
        author = Author.objects.filter(slug=slug).first() or Author(slug=slug, name=fields.get("name") or slug)
        if author.pk is not None and not self.update_existing:
            return
        if author.pk is None or any(str(getattr(author, key)) != value for key, value in fields.items()):
            for key, value in fields.items():
                setattr(author, key, value)
            author.save()

    def _upsert_tag(self, site, data_path, item):
        if isinstance(item, str):
            item = {"name": item}
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        if not name:
            raise ImportFailure(f"a tag entry has no name: {item!r}")
        slug = str(item.get("slug") or "").strip()
        tag = (Tag.objects.filter(slug=slug).first() if slug else None) or Tag.objects.filter(name=name).first()
        if tag is not None and not self.update_existing:
            return
        tag = tag or Tag(name=name, slug=slug)
        description = str(item.get("description") or tag.description)
        if tag.pk is None or (tag.name, tag.description) != (name, description):
            tag.name, tag.description = name, description
            tag.save()

    def _store_all(self, media):
        for source, name in media:
            self._store_media(source, name)

    # -- writing a post -------------------------------------------------------------------------

    def _find_author(self, value):
        found = Author.objects.filter(Q(slug=value) | Q(name=value)).first()
        found = found or Author.objects.filter(slug=slugify(value, allow_unicode=True)).first()
        if found is None:
            found = Author(name=value[:200])
            found.save()
        return found

    def _find_tag(self, name):
        found = Tag.objects.filter(name__iexact=name).first()
        found = found or Tag.objects.filter(slug=slugify(name, allow_unicode=True)).first()
        if found is None:
            found = Tag(name=name)
            found.save()
        return found

    def _existing(self, entry):
        existing = Post.objects.filter(source_path=entry.source_path).first()
        if existing is None:
            existing = Post.objects.filter(language=entry.language, slug=entry.slug, source_path="").first()
        return existing

    def _save_entry(self, site, entry):
        """Create or update the post inside the caller's transaction; roll back when nothing changed."""
        post = self._existing(entry)
        if post is not None and not self.update_existing:
            return post, "skipped", KEPT
        before = snapshot(post) if post else None
        previous_url = post.get_absolute_url() if post and post.status == Post.Status.PUBLISHED else None
        if post is None:
            post = Post(source_path=entry.source_path)
        authors = [self._find_author(name) for name in entry.authors]
        tags = [self._find_tag(name) for name in entry.tags]

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
        post.extra_front_matter = entry.extra
        post.slug = self._free_slug(entry, post)
        clash = Post.objects.filter(translation_key=post.translation_key, language=post.language).exclude(pk=post.pk)
        if clash.exists():
            other = clash.first()
            raise ImportFailure(
                f"translation key {post.translation_key} already has a version in {post.language} "
                f"({other.source_path or other.slug})"
            )

        self._store_all(entry.media)
        with reversion.create_revision():
            reversion.set_comment(f"Imported from {entry.source_path}")
            post.save()
            self._set_bylines(post, authors)
            post.tags.set(tags)
            self._set_links(post, entry.related_links)
        if entry.created_at and entry.created_at != post.created_at:
            # An export keeps when each version was written; which one is the original depends on it.
            Post.objects.filter(pk=post.pk).update(created_at=entry.created_at)
            post.created_at = entry.created_at
        self._sync_redirects(post, entry.old_paths, previous_url)

        after = snapshot(post)
        if before is None:
            return post, "created", post.get_absolute_url()
        if before == after:
            transaction.set_rollback(True)  # no revision, no new `updated` time for an unchanged post
            return post, "skipped", "unchanged"
        return post, "updated", post.get_absolute_url()

    def _free_slug(self, entry, post):
        """The wanted slug, else `<slug>-<year>` (many blogs reuse a slug every year), else numbered."""
        taken = Post.objects.filter(language=post.language).exclude(pk=post.pk)
        candidates = [entry.slug]
        if post.publish_at:
            candidates.append(f"{entry.slug}-{timezone.localtime(post.publish_at).year}")
        for candidate in candidates:
            if not taken.filter(slug=candidate).exists():
                if candidate != entry.slug and entry.slug_is_explicit:
                    self.report.warnings.append(f"{entry.path}: slug {entry.slug!r} is taken; used {candidate!r}")
                return candidate
        return unique_slug(Post, candidates[-1], scope={"language": post.language}, exclude_pk=post.pk)

    def _set_bylines(self, post, authors):
        wanted = [author.pk for author in authors]
        if list(post.bylines.values_list("author_id", flat=True)) != wanted:
            post.bylines.all().delete()
            PostAuthor.objects.bulk_create(
                PostAuthor(post=post, author=author, position=position) for position, author in enumerate(authors)
            )

    def _set_links(self, post, links):
        current = list(post.related_links.values("title", "url", "summary"))
        if current != links:
            post.related_links.all().delete()
            RelatedLink.objects.bulk_create(
                RelatedLink(post=post, position=position, **link) for position, link in enumerate(links)
            )

    def _sync_redirects(self, post, old_paths, previous_url):
        """Point every old URL at the post's URL, including its previous one when its slug changed."""
        site = Site.objects.get_current()
        new_path = post.get_absolute_url()
        if previous_url and previous_url != new_path:
            Redirect.objects.filter(site=site, new_path=previous_url).update(new_path=new_path)
            old_paths = [*old_paths, escape_uri_path(previous_url)]
        for old_path in old_paths:
            if old_path == escape_uri_path(new_path):
                continue
            redirect = Redirect.objects.filter(site=site, old_path=old_path).first()
            if redirect is None:
                Redirect.objects.create(site=site, old_path=old_path, new_path=new_path)
            elif redirect.new_path != new_path:
                redirect.new_path = new_path
                redirect.save(update_fields=["new_path"])

    # -- second pass: links between files -------------------------------------------------------

    def _resolve_relations(self, entry, post, result):
        try:
            with transaction.atomic():
                changed = self._set_related(entry, post)
                changed = self._link_translations(entry, post) or changed
                changed = self._rerender(post) or changed
        except DatabaseError as exc:
            self.report.warnings.append(f"{entry.path}: related posts or translations not linked: {exc}")
            return
        if changed and result.outcome == "skipped":
            result.outcome, result.detail = "updated", post.get_absolute_url()

    def _find_post(self, ref, language):
        slug = ref["slug"].strip()
        if slug.endswith(tuple(MARKDOWN_SUFFIXES)):
            return Post.objects.filter(source_path=slug.lstrip("/")).first()
        candidates = Post.objects.filter(slug=slugify(slug, allow_unicode=True) or slug)
        if ref.get("lang"):
            return candidates.filter(language=ref["lang"]).first()
        return candidates.filter(language=language).first() or candidates.order_by("pk").first()

    def _set_related(self, entry, post):
        wanted = []
        for ref in entry.related:
            other = self._find_post(ref, post.language)
            if other is None:
                self.report.warnings.append(f"{entry.path}: related post {ref['slug']!r} not found")
            elif other.pk != post.pk and other.pk not in wanted:
                wanted.append(other.pk)
        if list(post.related_entries.values_list("to_post_id", flat=True)) == wanted:
            return False
        post.related_entries.all().delete()
        RelatedPost.objects.bulk_create(
            RelatedPost(from_post=post, to_post_id=pk, position=position) for position, pk in enumerate(wanted)
        )
        return True

    def _link_translations(self, entry, post):
        """Give every post named in `translations:` this post's translation key."""
        changed = False
        for ref in entry.translations:
            sibling = self._find_post(ref, ref.get("lang") or "")
            if sibling is None:
                self.report.warnings.append(f"{entry.path}: translation {ref['slug']!r} not found")
                continue
            if sibling.translation_key == post.translation_key or sibling.pk == post.pk:
                continue
            if Post.objects.filter(translation_key=post.translation_key, language=sibling.language).exists():
                self.report.warnings.append(
                    f"{entry.path}: {sibling.slug!r} not linked; this essay already has a {sibling.language} version"
                )
                continue
            sibling.translation_key = post.translation_key
            sibling.save(update_fields=["translation_key"])
            changed = True
        return changed

    def _rerender(self, post):
        """Liquid links render once their target exists, so render again after every file is in."""
        if "{%" not in post.body:
            return False
        before = (post.body_html, post.toc_html)
        post.render()
        if (post.body_html, post.toc_html) == before:
            return False
        post.save(update_fields=["body_html", "toc_html"])
        return True


def _field_name(name):
    """A media name that fits an ImageField (100 characters); long paths get a stable short name."""
    if len(name) <= 100:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:20]
    return f"imported/{digest}{PurePosixPath(name).suffix[:10]}"


def _parse_moment(value):
    """A datetime from `2016-02-25 23:25:00 +0900`, ISO 8601 or a bare date; None when it is none of these."""
    try:
        return parse_datetime(str(value).strip())
    except ValueError:  # well formed but impossible, like 2021-02-30
        return None


def _jekyll_slugify(text, *, pretty):
    """Jekyll's `slugify`: `pretty` (used for `:title`) keeps case and `._~!$&'()+,;=@`; default lowercases."""
    if pretty:
        slug = re.sub(r"[^\w._~!$&'()+,;=@]+", "-", text)
    else:
        slug = re.sub(r"[\W_]+", "-", text).lower()
    return slug.strip("-")


def _expand_jekyll(template, moment, title, categories):
    """Jekyll's permalink placeholders (`:year/:month/:title`...) filled for one post."""
    values = {
        "year": f"{moment:%Y}",
        "short_year": f"{moment:%y}",
        "month": f"{moment:%m}",
        "i_month": str(moment.month),
        "short_month": f"{moment:%b}",
        "long_month": f"{moment:%B}",
        "day": f"{moment:%d}",
        "i_day": str(moment.day),
        "y_day": f"{moment:%j}",
        "week": f"{moment:%V}",
        "short_day": f"{moment:%a}",
        "hour": f"{moment:%H}",
        "minute": f"{moment:%M}",
        "second": f"{moment:%S}",
        "title": _jekyll_slugify(title, pretty=True),
        "slug": _jekyll_slugify(title, pretty=False),
        "categories": "/".join(dict.fromkeys(categories)),
        "output_ext": ".html",
    }
    url = re.sub(r":([a-z_]+)", lambda match: values.get(match.group(1), match.group(0)), template)
    return re.sub(r"/{2,}", "/", "/" + url)


def snapshot(post):
    """Everything an import sets on a post, to tell an update from a re-import that changed nothing."""
    site = Site.objects.get_current()
    return {
        "fields": {
            name: getattr(post, name)
            for name in (
                "title", "slug", "language", "translation_key", "status", "publish_at", "summary", "body",
                "body_html", "toc_html", "cover_alt", "original_title", "original_author", "original_url",
                "original_published_on", "extra_front_matter", "source_path", "created_at",
            )
        } | {"cover_image": post.cover_image.name or ""},
        "authors": list(post.bylines.values_list("author_id", flat=True)),
        "tags": sorted(post.tags.values_list("pk", flat=True)),
        "links": list(post.related_links.values_list("title", "url", "summary")),
        "redirects": sorted(
            Redirect.objects.filter(site=site, new_path=post.get_absolute_url()).values_list("old_path", flat=True)
        ),
    }  # fmt: skip
