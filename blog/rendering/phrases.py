"""Phrase-aware line breaks for Japanese and Chinese headings and titles, found by BudouX on save.

Browsers break CJK text between any two characters, so a narrow screen splits 研究室 into 研究 / 室.
BudouX finds phrase boundaries; a `<wbr>` marks each, and CSS `word-break: keep-all` (static/css/site.css)
lets the line break only there. Text inside ruby, links, code and math is never split, and body paragraphs
keep the browser's own line breaking. Each parser is loaded once per process (a few milliseconds).
"""

import functools
import re
import xml.etree.ElementTree as etree

import budoux
from django.utils.html import escape
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import STX

from blog.content.languages import language_info

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
UNBROKEN = {"ruby", "a", "code", "kbd", "samp", "math", "img"}
# Python-Markdown's placeholders for stashed HTML (math, raw tags): one unbreakable unit each.
PLACEHOLDER = re.compile(STX + r"[^\x03]*\x03")
WBR = "<wbr>"
# A heading longer than this is no heading a reader scans: left to the browser, it cannot cost a save seconds.
MAX_HEADING_CHARACTERS = 300


@functools.cache
def parser(language):
    """BudouX's model for `language` (its `phrase_parser`), or None for a language written with spaces."""
    load = language_info(language)["phrase_parser"] if language else None
    return getattr(budoux, load)() if load else None


def title_html(title, language):
    """`title` escaped, with `<wbr>` between its phrases in Japanese and Chinese."""
    phrases = parser(language).parse(title) if parser(language) and title else [title]
    return WBR.join(escape(phrase) for phrase in phrases)


def _boundaries(text, language):
    """Offsets inside `text` where a phrase ends and another begins."""
    offsets, position = [], 0
    for phrase in parser(language).parse(text)[:-1]:
        position += len(phrase)
        offsets.append(position)
    return offsets


def _as_read(text):
    """`text` with each placeholder as one object character, and where each of its characters came from."""
    read, origins, position = [], [], 0
    for match in [*PLACEHOLDER.finditer(text), None]:
        end = match.start() if match else len(text)
        read.append(text[position:end])
        origins.extend(range(position, end))
        if match:
            read.append("\ufffc")
            origins.append(match.start())
            position = match.end()
    return "".join(read), [*origins, len(text)]


class PhraseBreakTreeprocessor(Treeprocessor):
    """`<wbr>` at the phrase boundaries of each heading, in its own text and that of its emphasis."""

    def __init__(self, md, language):
        super().__init__(md)
        self.language = language

    def run(self, root):
        for heading in [element for element in root.iter() if element.tag in HEADINGS]:
            self._break(heading)

    def _break(self, heading):
        read, breakable = [], []  # the heading's text as BudouX reads it; the texts a <wbr> may go in

        def add(owner, where, may_break):
            text, origins = _as_read(getattr(owner, where))
            start = sum(map(len, read))
            read.append(text)
            if may_break:
                breakable.append((owner, where, start, start + len(text), origins))

        def collect(element, may_break):
            if element.text:
                add(element, "text", may_break)
            for child in element:
                if child.tag not in ("rt", "rp"):  # ruby's reading is not part of the phrase
                    collect(child, may_break and child.tag not in UNBROKEN)
                if child.tail:
                    add(child, "tail", may_break)

        collect(heading, True)
        if sum(map(len, read)) > MAX_HEADING_CHARACTERS:
            return
        cuts = {}
        for boundary in _boundaries("".join(read), self.language):
            for owner, where, start, end, origins in breakable:
                if start <= boundary <= end:
                    cuts.setdefault((owner, where), []).append(origins[boundary - start])
                    break
        for (owner, where), offsets in cuts.items():
            _insert_breaks(heading, owner, where, offsets)


def _insert_breaks(heading, owner, where, cuts):
    """Split `owner`'s text or tail at `cuts`, a `<wbr>` between the parts."""
    text = getattr(owner, where)
    parts = [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    breaks = []
    for part in parts[1:]:
        wbr = etree.Element("wbr")
        wbr.tail = part or None
        breaks.append(wbr)
    setattr(owner, where, parts[0] or None)
    if where == "text":
        owner[0:0] = breaks
    else:
        parent = next(element for element in heading.iter() if any(child is owner for child in element))
        index = next(index for index, child in enumerate(parent) if child is owner)
        parent[index + 1 : index + 1] = breaks


class PhraseBreakExtension(Extension):
    def __init__(self, language, **kwargs):
        super().__init__(**kwargs)
        self.language = language

    def extendMarkdown(self, md):
        # After the table of contents (5) has taken the headings' text and ids: neither should hold a <wbr>.
        md.treeprocessors.register(PhraseBreakTreeprocessor(md, self.language), "phrase_breaks", 4)
