"""Where a file came from: a Jekyll site, a Hugo site or a plain folder, and what that site's config says.

The same front matter means different things depending on the generator that wrote it (old URLs, time
zone, base path, how `tags:` splits), so before any file is read the importer works out which kind of
site it belongs to and loads its `_config.yml` or `hugo.toml`. Keeping that here means the rest of the
importer asks a SiteInfo instead of knowing each generator's folder layout and config names.
"""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blog.portability import frontmatter

MARKDOWN_SUFFIXES = {".md", ".markdown"}
JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
HUGO_CONFIGS = ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml")


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
