"""Jekyll leftovers in imported posts: Liquid tags and kramdown markup are resolved or dropped, never printed.

Code and formulas are left alone: `{{ var }}` in a Django template sample or `x^{{2}}` in LaTeX is
content, not Liquid (Jekyll would have mangled them too, which is why such posts used `{% raw %}`).
"""

import re

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from blog.rendering.extensions import MATH_SPANS

# Block bodies stop at the next opening tag of their kind, so an unclosed one cannot make matching quadratic.
LIQUID_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}((?:(?!\{%-?\s*raw\b).)*?)\{%-?\s*endraw\s*-?%\}", re.S)
LIQUID_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}(?:(?!\{%-?\s*comment\b).)*?\{%-?\s*endcomment\s*-?%\}", re.S)
LIQUID_HIGHLIGHT = re.compile(
    r"^[ \t]*\{%-?\s*highlight\s+([\w+#.-]+)[^%]*%\}[ \t]*\n?"
    r"((?:(?!\{%-?\s*highlight\b).)*?)"
    r"\n?[ \t]*\{%-?\s*endhighlight\s*-?%\}[ \t]*$",
    re.S | re.M,
)
LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)(.{0,500}?)-?%\}", re.S)
LIQUID_OUTPUT = re.compile(r"\{\{-?(.{0,500}?)-?\}\}", re.S)
# `{{ "/assets/x.png" | relative_url }}`: a literal string with URL filters keeps its string.
LIQUID_STRING_LITERAL = re.compile(r"""^\s*(["'])([^"']*)\1\s*(\|\s*(relative_url|absolute_url)\s*)*$""")

# kramdown's `* TOC` + `{:toc}` asks for a table of contents; Bunko makes its own.
KRAMDOWN_TOC = re.compile(r"^[ \t]*[-*+][ \t].*\n[ \t]*\{:[ \t]*toc[ \t]*\}[ \t]*$", re.M)
KRAMDOWN_COMMENT = re.compile(r"\{::comment\}(?:(?!\{::comment\}).)*?\{:/(?:comment)?\}", re.S)
# Attribute lists `{:height="400px"}`, `{: .class}`, definitions `{:ref: ...}`, extensions `{::options/}`, `{:/}`.
KRAMDOWN_MARKUP = re.compile(r"\{::?[^{}\n]*\}")
# Regions that are content, not markup: fenced code, code spans and formulas.
PROTECTED_REGION = re.compile(
    r"^(`{3,}+|~{3,}+)[^\n]*\n.*?^\1 *$"
    r"|(`+)[^\n]+?\2"
    rf"|{MATH_SPANS}",
    re.S | re.M,
)


def clean(text, resolve_link=None):
    """Text as Jekyll meant it: Liquid resolved through `resolve_link` or removed, kramdown markup dropped."""
    parts = LIQUID_RAW.split(text)
    # split() alternates outside/inside {% raw %}: only the outside is Liquid.
    return "".join(part if index % 2 else _clean_part(part, resolve_link) for index, part in enumerate(parts))


def _clean_part(text, resolve_link):
    text = LIQUID_COMMENT.sub("", text)
    text = LIQUID_HIGHLIGHT.sub(_fenced_code, text)
    text = KRAMDOWN_TOC.sub("", text)
    pieces, position = [], 0
    for region in PROTECTED_REGION.finditer(text):
        pieces.append(_clean_markup(text[position : region.start()], resolve_link))
        pieces.append(region.group(0))
        position = region.end()
    pieces.append(_clean_markup(text[position:], resolve_link))
    return "".join(pieces)


def _clean_markup(text, resolve_link):
    text = KRAMDOWN_MARKUP.sub("", KRAMDOWN_COMMENT.sub("", text))
    text = LIQUID_TAG.sub(lambda match: _tag(match, resolve_link), text)
    return LIQUID_OUTPUT.sub(_output, text)


def _fenced_code(match):
    language, code = match.group(1), match.group(2)
    longest_run = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest_run + 1)
    return f"{fence}{language}\n{code}\n{fence}"


def _tag(match, resolve_link):
    name, argument = match.group(1), match.group(2).strip()
    if name == "link":
        target = argument
    elif name == "post_url":
        target = f"_posts/{argument}.md"
    else:  # include, if, for, assign, ...: the page they built is gone; keep only the text around them.
        return ""
    return (resolve_link(target) if resolve_link and target else None) or ""


def _output(match):
    # site.url and site.baseurl are "" on the imported site: links become site-relative.
    literal = LIQUID_STRING_LITERAL.match(match.group(1))
    return literal.group(2) if literal else ""


class JekyllPreprocessor(Preprocessor):
    def __init__(self, md, extension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines):
        return clean("\n".join(lines), self.extension.resolve_link).split("\n")


class UnresolvedLinkTreeprocessor(Treeprocessor):
    """`[text]({% link missing.md %})` ends as `[text]()`: show the text, not a link to nowhere."""

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in reversed(list(enumerate(parent))):
                if child.tag == "a" and not (child.get("href") or "").strip():
                    _unwrap(parent, index, child)


def _unwrap(parent, index, element):
    """Replace `element` by its text and children, keeping the surrounding text in order."""
    children = list(element)
    parent.remove(element)
    _append_text(parent, index, element.text)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    else:
        _append_text(parent, index, element.tail)


def _append_text(parent, index, text):
    """Add `text` where the child at `index` would start."""
    if index:
        parent[index - 1].tail = (parent[index - 1].tail or "") + (text or "")
    else:
        parent.text = (parent.text or "") + (text or "")


class JekyllExtension(Extension):
    """Set `resolve_link` before each conversion; `reset()` (Markdown.reset) forgets it."""

    def __init__(self, **kwargs):
        self.resolve_link = None
        super().__init__(**kwargs)

    def reset(self):
        self.resolve_link = None

    def extendMarkdown(self, md):
        # After whitespace normalisation (30), before fenced code (25) so `{% highlight %}` becomes a fence.
        md.registerExtension(self)
        md.preprocessors.register(JekyllPreprocessor(md, self), "jekyll", 28)
        # After inline parsing (20), when links exist as elements.
        md.treeprocessors.register(UnresolvedLinkTreeprocessor(md), "unresolved_links", 15)
