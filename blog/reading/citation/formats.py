"""An essay's CSL item written as the files reference managers import: BibTeX, RIS and CSL-JSON.

Each is written by a library that knows the format (bibtexparser with pylatexenc's LaTeX encoder, rispy, json),
so a title with braces, backslashes, `%`, `&`, quotes or emoji still gives a file that parses back to it.
"""

import json
import re
from urllib.parse import quote

import bibtexparser
import rispy
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import RULE_DICT, RULE_REGEX, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from blog.reading.citation.csl import name_text

# pylatexenc's defaults, except that braces are written as \textbraceleft and \textbraceright (BibTeX counts
# every brace, escaped or not, to find where a value ends, so a lone "}" written as \} would end the field), a
# straight double quote stays one (inside a braced value it is plain text), and the pairs TeX would join into
# one glyph (-- into a dash, '' into a quote, !` into ¡) are kept apart by an empty group.
LATEX = UnicodeToLatexEncoder(
    conversion_rules=[
        UnicodeToLatexConversionRule(RULE_REGEX, [(re.compile(r"([-'`!?,])(?=[-'`,])"), r"\1{}")]),
        UnicodeToLatexConversionRule(
            RULE_DICT, {ord("{"): r"\textbraceleft{}", ord("}"): r"\textbraceright{}", ord('"'): '"'}
        ),
        "defaults",
    ],
    unknown_char_policy="keep",  # CJK and emoji: UTF-8 BibTeX (biber, bibtex8, Zotero) reads them as they are
    replacement_latex_protection="braces-all",
)
# A name part BibTeX would split at (a comma or the word "and") is kept whole in braces.
SPLITS_A_NAME = re.compile(r",|\band\b", re.IGNORECASE)

MEDIA_TYPES = {
    "bib": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "json": "application/vnd.citationstyles.csl+json",
}


# What could end or break a field BibTeX keeps verbatim (url, doi): braces, a backslash, whitespace.
BREAKS_VERBATIM = re.compile(r"[{}\\\s]")


def latex(text):
    return LATEX.unicode_to_latex(text)


def verbatim(text):
    """A URL or DOI for a verbatim field: what could end the field percent-encoded, as it would be in a URL."""
    return BREAKS_VERBATIM.sub(lambda match: quote(match[0], safe=""), text)


def bibtex_name(name):
    """A CSL name as BibTeX's "Family, Given", a literal (a CJK name, a single word) braced so it stays whole."""
    if "literal" in name:
        return "{" + latex(name["literal"]) + "}"
    parts = [latex(name[part]) for part in ("family", "given")]
    return ", ".join("{" + part + "}" if SPLITS_A_NAME.search(part) else part for part in parts)


def bibtex(reference):
    """A @misc entry (what classic BibTeX styles and biblatex both print), with biblatex's fields for the rest."""
    item = reference.item
    year, month, day = item["issued"]["date-parts"][0]
    fields = {
        "author": " and ".join(map(bibtex_name, item.get("author", []))),
        "translator": " and ".join(map(bibtex_name, item.get("translator", []))),
        "title": latex(item["title"]),
        "howpublished": latex(item["container-title"]),
        "year": str(year),
        "month": str(month),
        "date": f"{year:04d}-{month:02d}-{day:02d}",
        "url": verbatim(item["URL"]),
        "doi": verbatim(item.get("DOI", "")),
        "language": item["language"],
        "version": item.get("version", ""),
        "origtitle": latex(item.get("original-title", "")),
        "origdate": "-".join(f"{part:02d}" for part in item["original-date"]["date-parts"][0])
        if "original-date" in item
        else "",
        "note": latex(item.get("note", "")),
        "abstract": latex(item.get("abstract", "")),
    }
    entry = Entry("misc", reference.key, [Field(key, value) for key, value in fields.items() if value])
    return bibtexparser.write_string(Library([entry]))


class RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record, which is no RIS tag, and with a line per
    translator (TA), as for authors."""

    DEFAULT_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "TA"]

    def set_header(self, count):
        return ""


def ris(reference):
    item = reference.item
    year, month, day = item["issued"]["date-parts"][0]
    record = {
        "type_of_reference": "BLOG",
        "id": reference.key,
        "title": item["title"],
        "authors": [name_text(name) for name in item.get("author", [])],
        "translated_author": [name_text(name) for name in item.get("translator", [])],  # TA: the translators
        "secondary_title": item["container-title"],
        "year": str(year),
        "date": f"{year:04d}/{month:02d}/{day:02d}/",
        "urls": [item["URL"]],
        "doi": item.get("DOI"),
        "language": item["language"],
        "edition": item.get("version"),  # ET: what Zotero reads a version from
        "original_publication": item.get("original-title"),
        "notes": [item["note"]] if "note" in item else [],
        "abstract": item.get("abstract"),
    }
    return rispy.dumps([{key: value for key, value in record.items() if value}], implementation=RisWriter)


def csl_json(reference):
    """The item as a CSL-JSON document (a list of items), readable by Zotero, Pandoc and every citeproc."""
    return json.dumps([reference.item], ensure_ascii=False, indent=2) + "\n"


WRITERS = {"bib": bibtex, "ris": ris, "json": csl_json}
