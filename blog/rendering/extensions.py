"""Python-Markdown extensions for essays: server-side math, figures, lazy images, CJK-safe ids and quotes."""

import re
import xml.etree.ElementTree as etree

from django.utils.html import escape
from django.utils.text import slugify
from latex2mathml.converter import convert as latex_to_mathml
from markdown.extensions import Extension, smarty
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from blog.content.languages import CJK_CHARACTERS
from blog.content.plain_text import TEX_ENCODING
from blog.rendering import images

# A formula longer than this is shown as source: latex2mathml is recursive and not linear.
MAX_FORMULA_CHARS = 4000
# `$$...$$`, `$...$`, `\(...\)`, `\[...\]`. A formula cannot contain its own opening delimiter, so a stray
# opener stops at the next one instead of scanning to the end of the text. A single `$` follows pandoc's
# rule, so prices stay text ("$5 or $10"): no space just inside either dollar, no digit right after the
# closing one; `\$` is a literal dollar, in the text and inside a formula.
MATH_SPANS = (
    rf"\$\$(?P<dollars>(?:[^$]|\$(?!\$)){{1,{MAX_FORMULA_CHARS}}}?)\$\$"
    rf"|(?<![\\$])\$(?![\s$])(?P<dollar>(?:[^$\\]|\\.){{1,{MAX_FORMULA_CHARS}}}?)(?<!\s)\$(?![\d$])"
    rf"|\\\((?P<paren>(?:[^\\]|\\[^()]){{1,{MAX_FORMULA_CHARS}}}?)\\\)"
    rf"|\\\[(?P<bracket>(?:[^\\]|\\[^\[\]]){{1,{MAX_FORMULA_CHARS}}}?)\\\]"
)
DISPLAY_DELIMITERS = {"$$": "$$", "\\[": "\\]"}
# MathJax's `aligned` is latex2mathml's `split`: the same right-left column pairs.
LATEX_ALIASES = {r"\begin{aligned}": r"\begin{split}", r"\end{aligned}": r"\end{split}"}


def math_html(source, *, display, written):
    """MathML for a TeX formula; one that does not parse stays readable as `written`, its source in code.

    The TeX rides along as the formula's annotation (as MathJax and KaTeX write it): browsers show only the
    MathML, while search and copying read the source the writer typed.
    """
    tex = source.strip()
    latex = tex
    for alias, name in LATEX_ALIASES.items():
        latex = latex.replace(alias, name)
    try:
        if not latex or len(latex) > MAX_FORMULA_CHARS:
            raise ValueError("empty or too long")
        mathml = latex_to_mathml(latex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many types (and RecursionError) on malformed TeX
        return f'<code class="math-error">{escape(written)}</code>'
    # latex2mathml writes one <mrow> inside <math>: the one presentation child <semantics> wants.
    opening_end, closing_start = mathml.index(">") + 1, mathml.rindex("</math>")
    return (
        f"{mathml[:opening_end]}<semantics>{mathml[opening_end:closing_start]}"
        f'<annotation encoding="{TEX_ENCODING}">{escape(tex)}</annotation></semantics></math>'
    )


class InlineMathProcessor(InlineProcessor):
    """`$$...$$` inside a paragraph (kramdown's inline math), `$...$` (pandoc's), `\\(...\\)` and `\\[...\\]`."""

    def handleMatch(self, m, data):
        if m.group("dollars") is not None:
            source, display = m.group("dollars"), False
        elif m.group("dollar") is not None:
            source, display = m.group("dollar"), False
        elif m.group("paren") is not None:
            source, display = m.group("paren"), False
        elif re.search(r"[\\^_=+{}<>]", m.group("bracket")):
            source, display = m.group("bracket"), True
        else:  # `\[1\]` in running text is an escaped reference number, not a formula
            return None, None, None
        html = math_html(source, display=display, written=m.group(0))
        return self.md.htmlStash.store(html), m.start(0), m.end(0)


class DisplayMathPreprocessor(Preprocessor):
    """A formula that is a block of its own (`$$` or `\\[` lines) becomes display math, untouched by Markdown.

    Doing this before block parsing matters: a formula line starting with `-`, `+` or four spaces
    would otherwise become a list item or code.
    """

    def run(self, lines):
        output, index = [], 0
        while index < len(lines):
            end = self._block_end(lines, index)
            if end is None:
                output.append(lines[index])
                index += 1
                continue
            text = "\n".join(line.strip() for line in lines[index : end + 1])
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            placeholder = self.md.htmlStash.store(math_html(text[2:-2], display=True, written=text))
            output.extend(["", indent + placeholder, ""])
            index = end + 1
        return output

    def _block_end(self, lines, start):
        """Index of the line closing a display formula opened on `lines[start]`, or None."""
        first = lines[start].strip()
        opener = first[:2]
        closer = DISPLAY_DELIMITERS.get(opener)
        if closer is None:
            return None
        starts_block = start == 0 or not lines[start - 1].strip() or first == opener
        if not starts_block:
            return None
        rest = first[2:]
        if closer in rest:  # one line: only when the formula fills it and its paragraph
            ends_paragraph = start + 1 == len(lines) or not lines[start + 1].strip()
            alone = rest.endswith(closer) and rest.index(closer) == len(rest) - 2 and len(rest) > 2
            return start if alone and ends_paragraph else None
        length = len(first)
        for end in range(start + 1, len(lines)):
            line = lines[end].strip()
            length += len(line)
            if not line or length > MAX_FORMULA_CHARS or (closer in line and not line.endswith(closer)):
                return None
            if line.endswith(closer):
                return end if line.count(closer) == 1 else None
        return None


class MathExtension(Extension):
    def extendMarkdown(self, md):
        # After fenced code (25) so code samples stay code; before raw HTML (20) so `<` in TeX is not a tag.
        md.preprocessors.register(DisplayMathPreprocessor(md), "display_math", 24)
        # After code spans (190), before escapes (180) and emphasis: `\(`, `_` and `*` belong to TeX.
        md.inlinePatterns.register(InlineMathProcessor(MATH_SPANS, md), "inline_math", 185)
        # `\$` writes a dollar that opens no formula.
        md.ESCAPED_CHARS.append("$")


def heading_slug(value, separator="-"):
    """Heading ids that keep Japanese and Chinese text readable, e.g. `#はじめに`."""
    return slugify(value, allow_unicode=True).replace("-", separator) or "section"


class FigureTreeprocessor(Treeprocessor):
    """Images load lazily with their size known; an image on a line of its own is a captioned figure."""

    def run(self, root):
        for image in root.iter("img"):
            _describe_image(image)
        for parent in list(root.iter()):
            for index, child in reversed(list(enumerate(parent))):
                if child.tag == "p" and child.find(".//img") is not None:
                    parent[index : index + 1] = _split_at_figures(child)


def _describe_image(image):
    image.set("loading", "lazy")
    image.set("decoding", "async")
    local = images.local_image(image.get("src", ""))
    if local:
        image.set("width", str(local.width))
        image.set("height", str(local.height))
        if local.srcset:
            image.set("srcset", local.srcset)
            image.set("sizes", images.SIZES)
    elif re.match(r"^(https?:)?//", image.get("src", "")):
        image.set("referrerpolicy", "no-referrer")


def _split_at_figures(paragraph):
    """The paragraph cut around images that stand on their own line, each of those becoming a figure."""
    pieces, current = [], etree.Element("p")
    current.text = paragraph.text
    for child in list(paragraph):
        before = (current[-1].tail if len(current) else current.text) or ""
        after = child.tail or ""
        if _is_image(child) and _line_starts(before) and _line_ends(after):
            if len(current):
                current[-1].tail = before.rstrip()
            else:
                current.text = before.rstrip()
            if len(current) or current.text:
                pieces.append(current)
            pieces.append(_figure(child))
            current = etree.Element("p")
            current.text = after.lstrip()
        else:
            current.append(child)
    if len(current) or (current.text or "").strip():
        pieces.append(current)
    current.tail = paragraph.tail
    return pieces


def _is_image(element):
    linked = element.tag == "a" and len(element) == 1 and element[0].tag == "img"
    return element.tag == "img" or (linked and not (element.text or "").strip() and not (element[0].tail or "").strip())


def _line_starts(text):
    return not text.strip() or text.rstrip(" \t").endswith("\n")


def _line_ends(text):
    return not text.strip() or text.lstrip(" \t").startswith("\n")


def _figure(content):
    figure = etree.Element("figure")
    content.tail = None
    figure.append(content)
    image = content if content.tag == "img" else content[0]
    caption = image.attrib.pop("title", "").strip()
    if caption:
        etree.SubElement(figure, "figcaption").text = caption
    return figure


class FigureExtension(Extension):
    def extendMarkdown(self, md):
        # After inline parsing (20), when images are elements.
        md.treeprocessors.register(FigureTreeprocessor(md), "figures", 16)


class CJKLineJoinTreeprocessor(Treeprocessor):
    """Drop a source line break between two CJK characters.

    Browsers show a soft line break as a space, which Japanese and Chinese do not have, so
    「気持ちと、\n生活への」 would read 「気持ちと、 生活への」. Code and math keep their text.
    """

    SOFT_BREAK = re.compile(rf"(?<=[{CJK_CHARACTERS}])[ \t]*\n[ \t]*(?=[{CJK_CHARACTERS}])")
    VERBATIM = {"pre", "code", "math"}

    def run(self, root):
        self._join(root)

    def _join(self, element):
        if element.tag not in self.VERBATIM:
            if element.text:
                element.text = self.SOFT_BREAK.sub("", element.text)
            for child in element:
                self._join(child)
        if element.tail:
            element.tail = self.SOFT_BREAK.sub("", element.tail)


class CJKSmartyExtension(smarty.SmartyExtension):
    """Smart quotes that also pair up inside Japanese and Chinese text, and no stray spaces between lines.

    Stock smarty opens a quote only after whitespace, so `は"トピック"と` got closing quotes on both
    sides; a quote pair right after CJK text is educated as a pair first. Full-width punctuation
    (「」、。“”) is never touched: only ASCII quotes are educated.
    """

    def extendMarkdown(self, md):
        super().extendMarkdown(md)
        # After inline parsing (20), when text nodes are final.
        md.treeprocessors.register(CJKLineJoinTreeprocessor(md), "cjk_line_join", 15)

    def educateQuotes(self, md):
        lsquo, rsquo = self.substitutions["left-single-quote"], self.substitutions["right-single-quote"]
        ldquo, rdquo = self.substitutions["left-double-quote"], self.substitutions["right-double-quote"]
        patterns = (
            (rf'(?<=[{CJK_CHARACTERS}])"([^"\n]{{1,200}}?)"', (ldquo, 1, rdquo)),
            (rf"(?<=[{CJK_CHARACTERS}])'([^'\n]{{1,200}}?)'", (lsquo, 1, rsquo)),
            (smarty.singleQuoteStartRe, (rsquo,)),
            (smarty.doubleQuoteStartRe, (rdquo,)),
            (smarty.doubleQuoteSetsRe, (ldquo + lsquo,)),
            (smarty.singleQuoteSetsRe, (lsquo + ldquo,)),
            (smarty.doubleQuoteSetsRe2, (rsquo + rdquo,)),
            (smarty.singleQuoteSetsRe2, (rdquo + rsquo,)),
            (smarty.decadeAbbrRe, (rsquo,)),
            (smarty.openingSingleQuotesRegex, (1, lsquo)),
            (smarty.closingSingleQuotesRegex, (rsquo,)),
            (smarty.closingSingleQuotesRegex2, (rsquo, 1)),
            (smarty.remainingSingleQuotesRegex, (lsquo,)),
            (smarty.openingDoubleQuotesRegex, (1, ldquo)),
            (smarty.closingDoubleQuotesRegex, (rdquo,)),
            (smarty.closingDoubleQuotesRegex2, (rdquo,)),
            (smarty.remainingDoubleQuotesRegex, (ldquo,)),
        )
        self._addPatterns(md, patterns, "quotes", 30)
