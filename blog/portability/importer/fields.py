"""Front matter values turned into the values a Post field accepts, or a reason why they cannot be.

Front matter is written by hand and by many generators, so a language is `jp` or `日本語`, a date is a
bare day or a full timestamp, `tags:` is a list or one space-separated string, and `original:` is a URL
or a mapping. Each function here takes one such value and either returns what Bunko stores or raises
ImportFailure with a sentence the person importing can act on. None of them touches the database or
the file system, so they can be read, and changed, one rule at a time.
"""

import datetime
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from blog.content.control_characters import IN_SUMMARY
from blog.content.identifiers import validate_doi
from blog.content.languages import HAN, KANA, language_info
from blog.models import SUMMARY_MAX_LENGTH
from blog.portability.importer.report import ImportFailure

# A stable namespace, so a translation key written as a word ("ucl-stay") gives the same UUID every time.
TRANSLATION_KEY_NAMESPACE = uuid.UUID("6f1d3c1e-2b7a-5c0e-9a55-62756e6b6f00")

# Each language a post may be written in, by its code and the other names front matter gives it.
LANGUAGE_ALIASES = {
    name: code for code, _name in settings.LANGUAGES for name in (code, *language_info(code)["aliases"])
}

JEKYLL_FILENAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def without_controls(text, controls, field, path, warnings):
    """`text` without the control characters the editor's form refuses in `field`, saying so when there were any."""
    cleaned = controls.sub("", text)
    if cleaned != text:
        warnings.append(f"{path}: control characters removed from the {field}")
    return cleaned


def summary(value, path, warnings):
    """The summary as the editor's form would accept it: no control characters, at most SUMMARY_MAX_LENGTH long."""
    text = without_controls(str(value or ""), IN_SUMMARY, "summary", path, warnings).strip()
    if len(text) > SUMMARY_MAX_LENGTH:
        warnings.append(f"{path}: summary cut from {len(text):,} to {SUMMARY_MAX_LENGTH:,} characters")
        text = text[:SUMMARY_MAX_LENGTH].rstrip()
    return text


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


def as_list(value):
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return bool(value)


def parse_moment(value):
    """A datetime from `2016-02-25 23:25:00 +0900`, ISO 8601 or a bare date; None when it is none of these."""
    try:
        return parse_datetime(str(value).strip())
    except ValueError:  # well formed but impossible, like 2021-02-30
        return None


def parse_filename(path):
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


def post_slug(text, *, fallback):
    slug = slugify(str(text), allow_unicode=True)[:190].strip("-")
    return slug or slugify(fallback, allow_unicode=True)[:190].strip("-") or "post"


def language_of(known, file_language, title, body, default):
    """The front matter's `lang`, else the file name's suffix, else the import's language, else a guess."""
    written = known.get("lang")
    if written not in (None, ""):
        language = normalize_language(written)
        if not language:
            raise ImportFailure(f"unsupported language {written!r} (Bunko publishes ja, zh-hans and en)")
        return language
    return file_language or default or detect_language(f"{title}\n{body}")


def publish_date(site, known, file_date):
    """(publish time, whether the file sets one, the local date/time its old URL was built from)."""
    zone = site.timezone or timezone.get_default_timezone()
    if "date" in known:
        value = known["date"]
        if value in (None, ""):
            return None, True, None
        written = parse_moment(value)
        if written is None:
            raise ImportFailure(f"invalid date {value!r}; write it like 2024-03-01 09:30:00 +0900")
        if timezone.is_naive(written):
            written = timezone.make_aware(written, zone)
        return written, True, written.astimezone(site.timezone) if site.timezone else written
    if file_date:
        written = timezone.make_aware(datetime.datetime.combine(file_date, datetime.time()), zone)
        return written, False, written
    return None, False, None


def author_names(value):
    names = []
    for item in as_list(value):
        if isinstance(item, dict):
            item = item.get("slug") or item.get("name") or ""
        item = str(item).strip()
        if item and item not in names:
            names.append(item)
    return names


def site_author(site):
    author = site.config.get("author") or (site.config.get("params") or {}).get("author")
    return author.get("name") if isinstance(author, dict) else author


def tag_names(site, known):
    names = []
    for key in ("tags", "categories"):
        value = known.get(key)
        if isinstance(value, str):
            # Jekyll reads `tags: a b` as two tags; a comma list is the common hand-written form.
            value = value.split(",") if "," in value else (value.split() if site.kind == "jekyll" else [value])
        for item in as_list(value):
            name = str(item).strip()[:100]
            if name and name.casefold() not in {existing.casefold() for existing in names}:
                names.append(name)
    return names


def original_work(value):
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        value = {"url": value}
    if not isinstance(value, dict):
        raise ImportFailure("`original` must be a URL or a mapping with title, author, url and date")
    original = {
        "title": str(value.get("title") or "").strip()[:300],
        "author": str(value.get("author") or "").strip()[:200],
        "url": checked_url(value.get("url") or value.get("link"), "original url"),
        "date": None,
    }
    if value.get("date") not in (None, ""):
        moment = parse_moment(value["date"])
        if moment is None:
            raise ImportFailure(f"invalid original date {value['date']!r}")
        original["date"] = moment.date()
    return original


def citation(value):
    """A post's `citation` mapping: its DOI, checked as the admin checks it, and its version date."""
    if value in (None, ""):
        return {"doi": "", "version": None}
    if not isinstance(value, dict):
        raise ImportFailure("`citation` must be a mapping with doi and version")
    doi = str(value.get("doi") or "").strip().removeprefix("https://doi.org/")
    if doi:
        try:
            validate_doi(doi)
        except ValidationError as exc:
            raise ImportFailure(f"invalid DOI {doi!r}") from exc
    version = None
    if value.get("version") not in (None, ""):
        moment = parse_moment(value["version"])
        if moment is None:
            raise ImportFailure(f"invalid citation version date {value['version']!r}")
        version = moment.date()
    return {"doi": doi, "version": version}


def checked_url(value, what):
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


def translation_refs(value):
    if isinstance(value, dict):
        return [{"lang": normalize_language(lang), "slug": str(slug)} for lang, slug in value.items()]
    return [post_ref(item) for item in as_list(value)]


def post_ref(item):
    """A reference to another post: `slug`, `_posts/2020-01-01-x.md`, or {slug, lang}."""
    if isinstance(item, dict):
        lang = item.get("lang") or item.get("language")
        return {"slug": str(item.get("slug") or ""), "lang": normalize_language(lang) if lang else None}
    return {"slug": str(item), "lang": None}


def related(known, path, warnings):
    """(references to other posts, links to elsewhere) from `related` and `related_links`, in file order."""
    posts, links = [], []
    for item in as_list(known.get("related")) + as_list(known.get("related_links")):
        if isinstance(item, dict) and item.get("url"):
            links.append(
                {
                    "title": str(item.get("title") or item["url"]).strip()[:300],
                    "url": checked_url(item["url"], "related link"),
                    "summary": str(item.get("summary") or "").strip(),
                }
            )
        elif isinstance(item, (str, dict)) and post_ref(item)["slug"]:
            posts.append(post_ref(item))
        else:
            warnings.append(f"{path}: related entry {item!r} has neither a slug nor a url")
    return posts, links


SOURCE_REVISION = re.compile(r"^[0-9a-f]{64}$")


def translation_source(known, path, warnings):
    """(source language, source revision, matched time) from `translation_of`, `source_revision`, `source_matched`.

    A value that cannot be read is a warning and left out, not a failure: the post itself is sound, and a
    translation whose base is unknown is simply shown as outdated until a translator marks it up to date.
    """
    language, revision, matched = None, "", None
    if known.get("translation_of"):
        language = normalize_language(known["translation_of"])
        if language is None:
            warnings.append(f"{path}: translation_of {known['translation_of']!r} is not a language Bunko knows")
            return None, "", None
    if known.get("source_revision"):
        revision = str(known["source_revision"]).strip().lower()
        if not SOURCE_REVISION.match(revision):
            warnings.append(f"{path}: source_revision {known['source_revision']!r} is not a 64-digit hex fingerprint")
            revision = ""
    if known.get("source_matched"):
        matched = parse_moment(known["source_matched"])
        if matched is None or timezone.is_naive(matched):
            warnings.append(f"{path}: source_matched {known['source_matched']!r} is not a time with a UTC offset")
            matched = None
    return language, revision, matched


def pending_draft(known, path, warnings):
    """The `pending_draft` mapping an export writes beside a published post, checked; None when there is none.

    A draft that cannot be read is a warning and left out, not a failure: the post itself is sound.
    """
    value = known.get("pending_draft")
    if value in (None, ""):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("body", ""), str):
        warnings.append(f"{path}: pending_draft is not a mapping with title, summary and body; not imported")
        return None
    saved_at = parse_moment(value.get("saved_at") or "")
    if saved_at is None or timezone.is_naive(saved_at):
        warnings.append(f"{path}: pending_draft saved_at {value.get('saved_at')!r} is not a time with a UTC offset")
        saved_at = None
    return {
        "title": str(value.get("title") or "").strip()[:300],
        "summary": str(value.get("summary") or ""),
        "body": value.get("body", ""),
        "saved_by": str(value.get("saved_by") or ""),
        "saved_at": saved_at,
        "of_an_older_save": truthy(value.get("of_an_older_save")),
    }
