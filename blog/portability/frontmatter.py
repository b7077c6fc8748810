"""Front matter: read YAML (`---`) and TOML (`+++`) blocks, write YAML, and map key aliases.

Jekyll, Hugo and hand-written files name the same thing differently (`author`/`authors`,
`abstract`/`description`/`summary`, `source`/`original`...). `split_known()` folds every alias onto
one canonical key, and the exporter writes only canonical keys, so a file read back means the same.
"""

import datetime
import tomllib
from dataclasses import dataclass

import yaml

YAML_FENCE = "---"
TOML_FENCE = "+++"

# Canonical key -> the keys that may spell it, in priority order. The first one present wins;
# the other spellings are kept as unknown keys so nothing in the file is dropped.
ALIASES = {
    "title": ("title",),
    "slug": ("slug",),
    "lang": ("lang", "language", "locale"),
    "date": ("date",),
    "draft": ("draft",),
    "published": ("published",),
    "authors": ("authors", "author"),
    "translators": ("translators",),
    "tags": ("tags",),
    "categories": ("categories", "category"),
    "summary": ("summary", "excerpt", "abstract", "description"),
    "cover": ("cover", "image"),
    "cover_alt": ("cover_alt",),
    "original": ("original", "source"),
    "citation": ("citation",),
    "translation_key": ("translation_key", "translationKey"),
    "translations": ("translations",),
    # What a translation was made from (blog.content.translation_drift): the source's language in the same essay, the
    # fingerprint of the source text it matches, and when it last matched it.
    "translation_of": ("translation_of",),
    "source_revision": ("source_revision",),
    "source_matched": ("source_matched",),
    # Autosaved changes to a published post not yet published (blog.models.pending), kept beside it in its file.
    "pending_draft": ("pending_draft",),
    "related": ("related",),
    "related_links": ("related_links",),
    "redirect_from": ("redirect_from", "aliases"),
    "permalink": ("permalink", "url"),
    "source_path": ("source_path",),
    "created": ("created",),
    "text_changed": ("text_changed",),
}


class FrontMatterError(ValueError):
    """The file's front matter cannot be read; the message says why in words an editor understands."""


@dataclass(frozen=True)
class Document:
    metadata: dict
    body: str
    style: str  # "yaml", "toml", or "" when the file has no front matter


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as written, so `2016-02-25 23:25:00 +0900` keeps its offset."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(yaml.SafeDumper):
    """Readable YAML: multi-line text as `|` blocks, lists indented under their key."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def parse(text):
    """Split `text` into front matter and body; raise FrontMatterError when the block is broken."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    fence = lines[0].rstrip() if lines else ""
    if fence not in (YAML_FENCE, TOML_FENCE):
        return Document(metadata={}, body=text, style="")
    closing = next((n for n in range(1, len(lines)) if lines[n].rstrip() == fence), None)
    if closing is None:
        raise FrontMatterError(f"front matter opened with {fence} on line 1 is never closed")
    source = "".join(lines[1:closing])
    body = "".join(lines[closing + 1 :])
    if fence == YAML_FENCE:
        return Document(metadata=_load_yaml(source), body=body, style="yaml")
    return Document(metadata=_load_toml(source), body=body, style="toml")


def _load_yaml(source):
    try:
        metadata = yaml.load(source, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f" on line {mark.line + 2}" if mark is not None else ""  # +1 for 0-based, +1 for the fence
        raise FrontMatterError(f"invalid YAML front matter: {problem}{where}") from exc
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise FrontMatterError("front matter is not a set of `key: value` lines")
    return {str(key): jsonable(value) for key, value in metadata.items()}


def _load_toml(source):
    try:
        metadata = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"invalid TOML front matter: {exc}") from exc
    return {key: jsonable(value) for key, value in metadata.items()}


def jsonable(value):
    """Turn YAML/TOML values into what a JSONField stores: dates become ISO strings."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(item) for item in value]
    return value


def split_known(metadata):
    """Return (known, extra): canonical keys with their values, and every key Bunko does not map."""
    known, used = {}, set()
    for canonical, spellings in ALIASES.items():
        for key in spellings:
            if key in metadata:
                known[canonical] = metadata[key]
                used.add(key)
                break
    extra = {key: value for key, value in metadata.items() if key not in used}
    return known, extra


def dump_yaml(data):
    """YAML for people: keys in the order given, CJK text as written, not escaped."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def dump(metadata, body):
    """A Markdown file with YAML front matter that Jekyll, Hugo and `parse()` all read."""
    return f"{YAML_FENCE}\n{dump_yaml(metadata)}{YAML_FENCE}\n\n{body}\n"
