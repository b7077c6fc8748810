"""An essay as Citation Style Language (CSL) data: the one description every citation of it is written from.

CSL-JSON is what Zotero, Pandoc and citeproc read; BibTeX, RIS, the formatted references and the page's meta
tags are all derived from the item built here, so they cannot disagree about who wrote what, when.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext

from blog.content.identifiers import is_doi, orcid_url
from blog.content.languages import CJK
from blog.models import PostAuthor
from blog.reading.jinja2 import http_url

# A name written with its romanisation after it, in ASCII or full-width brackets.
ROMANISATION_IN_BRACKETS = re.compile(r"(?P<written>.*?\S)\s*[(（](?P<romanised>[^()（）]+)[)）]")
# The reference's language decides whether an author's romanised name is used.
ROMANISED_LANGUAGES = {"en"}


def one_line(text):
    """`text` without control characters or line breaks: RIS is one value per line, BibTeX and meta tags alike."""
    return " ".join("".join(" " if unicodedata.category(char) == "Cc" else char for char in text or "").split())


def csl_name(name):
    """`name` as a CSL name object, or None when blank.

    Chinese, Japanese and Korean names keep the script and order they are written in (family name first) and
    are never inverted with a comma. CSL prints non-Latin family/given pairs that way, but citeproc-py does not
    implement that rule (it prints "佐藤, . 花子 ."), so they are passed whole as a literal, which every CSL
    processor, BibTeX and RIS reader keeps as written. Latin names are split, "Family, Given" or "Given Family".
    """
    name = one_line(name)
    if not name:
        return None
    if CJK.search(name) or (" " not in name and "," not in name):
        return {"literal": name}
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
    else:
        given, family = name.rsplit(" ", 1)
    return {"family": family, "given": given} if family and given else {"literal": name}


def name_text(name):
    """A CSL name as one string, inverted ("Family, Given") where CSL would invert it: for meta tags and RIS."""
    return name.get("literal") or f"{name['family']}, {name['given']}"


def cited_name(author, language):
    """The author's name as a reference in `language` prints it: romanised in English, as written elsewhere.

    A display name may carry its romanisation in brackets, "森 遥 (Haruka Mori)": a Japanese or Chinese
    reference cites the name alone, family name first; an English one the romanisation, when the profile has
    no romanised name of its own.
    """
    written, romanised = split_romanisation(author.name)
    if language in ROMANISED_LANGUAGES:
        return author.romanized_name.strip() or romanised or author.name
    return written


def split_romanisation(name):
    """("森 遥", "Haruka Mori") from "森 遥 (Haruka Mori)"; (name, "") when it has no bracketed Latin form."""
    match = ROMANISATION_IN_BRACKETS.fullmatch(name.strip())
    if match and CJK.search(match["written"]) and not CJK.search(match["romanised"]):
        return match["written"], match["romanised"].strip()
    return name, ""


@dataclass(frozen=True)
class Contributor:
    name: dict  # a CSL name object
    orcid: str = ""  # https://orcid.org/… or ""


@dataclass(frozen=True)
class Reference:
    """The CSL item of one essay, with the ORCID iDs of its contributors (CSL has no field for them)."""

    item: dict
    authors: tuple
    translators: tuple
    original_url: str = ""  # a republished translation's source (CSL has no field for it but `note`)

    @property
    def key(self):
        return self.item["id"]


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


def untitled(language):
    with translation.override(language):
        return gettext("Untitled")


def site_name(language):
    with translation.override(language):
        return gettext("Bunko")


def reference_of(post, authors, address):
    """The essay `post` (bylines `authors`, in order, each with its `role`) at the absolute URL `address`, as a
    Reference.

    Bylines credited as translators are its translators. A republished translation names the original author as
    the author and all its bylines as translators, with the original's title, date and address.
    """
    language = post.language
    bylines = [
        (author.role == PostAuthor.Role.TRANSLATOR, Contributor(name, orcid_url(author.orcid)))
        for author in authors
        if (name := csl_name(cited_name(author, language)))
    ]
    writers = tuple(contributor for translated, contributor in bylines if not translated)
    translators = tuple(contributor for translated, contributor in bylines if translated)
    original_author = csl_name(post.original_author)
    if original_author:
        contributors, translators = (Contributor(original_author),), writers + translators
    else:
        contributors = writers
    item = {
        "id": f"bunko{post.pk}",
        "type": "post-weblog",
        # A title stored with nothing but control characters (before they were refused) still names the work.
        "title": one_line(post.title) or untitled(language),
        "container-title": site_name(language),
        "language": language,
        "URL": iri_to_uri(address),
        "issued": date_parts(timezone.localtime(post.publish_at).date()),
        "author": [contributor.name for contributor in contributors],
        "translator": [contributor.name for contributor in translators],
        "abstract": one_line(post.excerpt),
        "DOI": post.doi if is_doi(post.doi) else "",  # one stored before DOIs were checked is left out
        "version": post.revised_on.isoformat() if post.revised_on else "",
        "original-title": one_line(post.original_title),
        "original-date": date_parts(post.original_published_on) if post.original_published_on else None,
    }
    original_url = iri_to_uri(http_url(post.original_url))
    if original_url:
        with translation.override(language):
            item["note"] = f"{gettext('Original')}: {original_url}"
    return Reference({key: value for key, value in item.items() if value}, contributors, translators, original_url)
