"""The one Markdown renderer: pages, feeds, the admin preview and export all call `render()`.

Python-Markdown with registered extensions (Jekyll clean-up, math, embeds, figures, ruby, CJK-aware ids,
quotes and phrase breaks), then the nh3 allowlist. Posts store the result on save; bump RENDERER_RELEASE whenever
output changes so `manage.py rerender_posts` recomputes stored HTML.
"""

import bisect
import itertools
import logging
import re
import threading
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass

import markdown
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blog.content import languages
from blog.content.plain_text import plain_text, search_text
from blog.rendering import phrases, sanitize
from blog.rendering.embeds import EmbedExtension
from blog.rendering.extensions import CJKSmartyExtension, FigureExtension, MathExtension, heading_slug
from blog.rendering.jekyll import JekyllExtension
from blog.rendering.phrases import PhraseBreakExtension
from blog.rendering.ruby import RubyExtension

RENDERER_RELEASE = "9"

logger = logging.getLogger(__name__)
_local = threading.local()

TOC_MIN_HEADINGS = 3
# Limits that keep one save from tying up a worker (Python-Markdown is quadratic on some shapes).
MAX_BODY_BYTES = 512 * 1024
MAX_NESTING = 32
MAX_BLOCKS = 3000
MAX_INLINE_MARKS = 2000  # per paragraph, list item, heading or table row
MAX_BRACKET_WORK = 1_000_000  # characters Python-Markdown scans looking for the `]` of each `[`
MAX_UNCLOSED_FENCE_WORK = 2_000_000  # characters it scans looking for the end of fences that have none

FENCE = re.compile(r"(`{3,}|~{3,})")  # at the start of a line, as Python-Markdown's fenced_code wants
CONTAINER_MARKER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")
BLOCK_START = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|#{1,6}|>)(?:[ \t]|$)|.*\|)")
INLINE_MARK = re.compile(r"\\.|`+|!?\[|[*_]+|[<&|]|\$\$|[\"']|--|\.\.\.")
BRACKET = re.compile(r"\\.|[\[\]]")


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: str
    reading_minutes: int
    feed_html: str  # the body as feed readers get it, URLs root-relative until `feed_html()` adds the host
    search_text: str  # the body as search reads and quotes it (blog.content.plain_text.search_text)


def render(text, *, resolve_link=None, language=None):
    """Sanitised HTML, table of contents, reading time and feed form of a Markdown body.

    `resolve_link(path)` turns a Liquid `{% link _posts/x.md %}` target into a URL (None drops the
    link, keeping its text). `language` picks the language of the few words the renderer adds.
    """
    text = text or ""
    with translation.override(language) if language else nullcontext():
        if _problem(text) is not None:
            html, toc = _unrendered(text), ""
        else:
            html, toc = _rendered(text, resolve_link)
    return Rendered(
        html=html,
        toc=toc,
        reading_minutes=reading_minutes(html, language),
        feed_html=sanitize.clean_for_feed(html),
        search_text=search_text(html),
    )


def markdownify(text):
    """markdownx's preview hook: the editor sees exactly what readers will."""
    return render(text).html


def validate_markdown(text):
    """Refuse a body too large or too deeply nested to render quickly, saying what to change."""
    problem = _problem(text or "")
    if problem is not None:
        raise problem


def feed_html(stored, origin):
    """A post's stored feed HTML with absolute URLs on `origin` (scheme://host): one regex pass, no parsing."""
    return sanitize.with_origin(stored, origin)


def reading_minutes(html, language=None):
    """Minutes to read at `language`'s rates (blog.content.languages), counting ruby's base only."""
    return languages.reading_minutes(plain_text(html, ruby_readings=False), language)


def _rendered(text, resolve_link):
    md, jekyll = _converter()
    jekyll.resolve_link = resolve_link
    try:
        body = md.convert(text)
    except Exception:  # a renderer bug must not cost an editor their save
        logger.exception("Markdown rendering failed; storing the text unrendered")
        return _unrendered(text), ""
    finally:
        toc_tokens, toc = md.toc_tokens, md.toc
        md.reset()
    toc = sanitize.clean(toc) if _heading_count(toc_tokens) >= TOC_MIN_HEADINGS else ""
    return sanitize.clean(body), toc


def _converter():
    """This thread's Markdown for the active language: building one costs as much as converting a post."""
    converters = _local.__dict__.setdefault("converters", {})
    language = translation.get_language()
    if language not in converters:
        jekyll = JekyllExtension()
        # Japanese and Chinese headings break between phrases only (blog.rendering.phrases).
        phrase_breaks = [PhraseBreakExtension(language)] if phrases.parser(language) else []
        md = markdown.Markdown(
            output_format="html",
            extensions=[
                jekyll,
                MathExtension(),
                EmbedExtension(),
                FigureExtension(),
                RubyExtension(),
                CJKSmartyExtension(),
                "fenced_code",
                "codehilite",
                "footnotes",
                "tables",
                "toc",
                *phrase_breaks,
            ],
            extension_configs={
                "codehilite": {"css_class": "highlight", "guess_lang": False},
                "footnotes": {"BACKLINK_TITLE": gettext("Jump back to footnote %d in the text")},
                # Alignment as an attribute: the sanitiser allows no style attributes.
                "tables": {"use_align_attribute": True},
                "toc": {"slugify": heading_slug, "marker": ""},
            },
        )
        converters[language] = (md, jekyll)
    return converters[language]


def _heading_count(tokens):
    return sum(1 + _heading_count(token["children"]) for token in tokens)


def _unrendered(text):
    return format_html('<pre class="unrendered" tabindex="0">{}</pre>', text)


def _problem(text):
    """A ValidationError describing why `text` cannot be rendered in bounded time, or None."""
    size = len(text.encode())
    if size > MAX_BODY_BYTES:
        return ValidationError(
            _("This text is %(size)s; at most %(limit)s can be published. Please split it into several posts."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(MAX_BODY_BYTES)},
        )
    lines = text.splitlines()
    fences, unclosed = _code_fences(lines)
    if unclosed:
        starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
        searched = sum(len(text) - starts[index] for index in unclosed) * (len(fences) + 1)
        if searched > MAX_UNCLOSED_FENCE_WORK:
            return ValidationError(
                _("The code fence (``` or ~~~) on line %(line)d is never closed. Close it with the same fence."),
                code="unclosed_fence",
                params={"line": unclosed[0] + 1},
            )
    blocks, bracket_work = _blocks(lines, fences), 0
    if len(blocks) > MAX_BLOCKS:
        return ValidationError(
            _(
                "This text has %(count)d paragraphs, list items, headings, table rows and code blocks; at most "
                "%(limit)d fit in one post. Please split it into several posts."
            ),
            code="too_many_blocks",
            params={"count": len(blocks), "limit": MAX_BLOCKS},
        )
    for line_number, block_lines in blocks:
        for offset, line in enumerate(block_lines):
            if (depth := _nesting(line)) > MAX_NESTING:
                return ValidationError(
                    _("Line %(line)d nests lists or quotes %(depth)d levels deep; at most %(limit)d are allowed."),
                    code="too_deep",
                    params={"line": line_number + offset, "depth": depth, "limit": MAX_NESTING},
                )
        block = "\n".join(block_lines)
        if (marks := len(INLINE_MARK.findall(block))) > MAX_INLINE_MARKS:
            return ValidationError(
                _(
                    "The paragraph on line %(line)d has %(count)d links, emphasis marks and other Markdown symbols; "
                    "at most %(limit)d fit in one paragraph. Please break it up."
                ),
                code="too_dense",
                params={"line": line_number, "count": marks, "limit": MAX_INLINE_MARKS},
            )
        bracket_work += _bracket_work(block)
    if bracket_work > MAX_BRACKET_WORK:
        return ValidationError(
            _(
                "This text has too many unclosed or nested square brackets to render. Close them, or write \\[ for "
                "a literal bracket."
            ),
            code="too_many_brackets",
        )
    return None


def _blocks(lines, fences):
    """(first line number, lines) of each element Markdown parses inline text in, plus one per fenced code block.

    Python-Markdown's inline pass is quadratic in the number of sibling elements and in the inline
    marks of one element, so these are what the limits count.
    """
    blocks, current, index = [], None, 0
    while index < len(lines):
        line = lines[index]
        if index in fences:
            blocks.append((index + 1, []))
            current, index = None, fences[index] + 1
            continue
        if not line.strip():
            current = None
        elif current is None or BLOCK_START.match(line):
            current = (index + 1, [line])
            blocks.append(current)
        else:
            current[1].append(line)
        index += 1
    return blocks


def _code_fences(lines):
    """({opening index: closing index}, [indexes of openings never closed]) as Python-Markdown pairs fences.

    A fence closes only at a line repeating it exactly; an unclosed one is searched to the end of the
    text again for every code block Markdown takes out, which is what makes it expensive.
    """
    closings = defaultdict(list)
    for index, line in enumerate(lines):
        if FENCE.fullmatch(line.rstrip(" ")):
            closings[line.rstrip(" ")].append(index)
    fences, unclosed, index = {}, [], 0
    while index < len(lines):
        if opening := FENCE.match(lines[index]):
            later = closings[opening.group(1)]
            position = bisect.bisect_right(later, index)
            if position < len(later):
                fences[index] = later[position]
                index = later[position] + 1
                continue
            unclosed.append(index)
        index += 1
    return fences, unclosed


def _nesting(line):
    """How many lists and quotes a line opens: its markers, plus a level per two columns of indentation."""
    depth, position = 0, 0
    while marker := CONTAINER_MARKER.match(line, position):
        depth, position = depth + 1, marker.end()
    indentation = len(line) - len(line.lstrip(" \t"))
    return depth + (indentation // 2 if depth else 0)


def _bracket_work(block):
    """Characters Python-Markdown scans looking for the `]` of each `[` in one element."""
    work, openings = 0, []
    for match in BRACKET.finditer(block):
        if match.group() == "[":
            openings.append(match.start())
        elif match.group() == "]" and openings:
            work += match.start() - openings.pop()
    return work + sum(len(block) - start for start in openings)
