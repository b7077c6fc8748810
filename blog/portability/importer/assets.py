"""The old site's own files (images, PDFs, covers, avatars) copied into media, and links to them rewritten.

A post that links `/assets/figure.png` or `{{ site.baseurl }}/images/cover.jpg` would break the moment
it leaves its generator, so every link in a body, a cover and an author's avatar that names a file of
the site being imported is copied into media under a stable name and pointed there. Only files inside
the site are read (a link is never a way to read anything else on the machine), code blocks and remote
URLs are left exactly as written, and one Assets object lives for a whole import so that the same file
is copied once and a dry run copies nothing but still counts what it would copy.
"""

import hashlib
import re
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from blog.portability.importer.sites import MARKDOWN_SUFFIXES

# Local links to these are pages, not files to copy into media.
PAGE_SUFFIXES = MARKDOWN_SUFFIXES | {".html", ".htm"}
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


class Assets:
    def __init__(self, *, site_url, dry_run, report):
        self.site_url = site_url
        self.dry_run = dry_run
        self.report = report
        self.copied = set()

    def localize_body(self, site, path, body, media):
        """Rewrite links to the site's own files into media URLs, leaving code and remote URLs alone."""

        def replace(prefix, target, suffix=""):
            new = self.localize(site, path, target, media)
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

    def localize(self, site, path, target, media):
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

    def field_file(self, site, path, target):
        """(source file, media name) for a local file an ImageField will hold, or None when it is not local."""
        found = []
        if self.localize(site, path, target, found):
            source_file, name = found[0]
            return source_file, field_name(name)
        return None

    def cover(self, site, path, known, extra, media):
        cover = known.get("cover")
        alt = str(known.get("cover_alt") or "")
        if isinstance(cover, dict):
            alt = alt or str(cover.get("alt") or "")
            source = cover.get("src") or cover.get("path") or cover.get("url") or cover.get("image") or ""
        else:
            source = cover or ""
        if not source:
            return "", alt
        local = self.field_file(site, path, str(source))
        if local:
            media.append(local)
            return local[1], alt
        extra["cover"] = cover  # a remote cover stays a URL, written back on export
        return "", alt

    def store(self, source, name):
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

    def store_all(self, media):
        for source, name in media:
            self.store(source, name)


def field_name(name):
    """A media name that fits an ImageField (100 characters); long paths get a stable short name."""
    if len(name) <= 100:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:20]
    return f"imported/{digest}{PurePosixPath(name).suffix[:10]}"
