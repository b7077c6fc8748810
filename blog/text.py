"""Plain text drawn from stored HTML: excerpts for lists, meta descriptions and feeds, and search passages.

Japanese and Chinese have no spaces between words, so nothing here cuts at words: excerpts end at a
sentence end when one falls inside the limit, otherwise at a character boundary with an ellipsis.
"""

import re
from html.parser import HTMLParser

EXCERPT_LENGTH = 160
SENTENCE_END = re.compile(r"[。．！？!?]|\.(?=\s|$)")
# Text inside these elements is not prose a reader would quote (code for embeds, formulas, styles).
SKIPPED_ELEMENTS = {"script", "style", "template", "math", "svg", "iframe", "noscript"}
# Ruby readings and their fallback parentheses: shown as 漢字(かんじ) in plain text, not read as more text.
RUBY_ANNOTATIONS = {"rt", "rp"}
BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "table", "td", "th", "tr", "ul",
}  # fmt: skip


class _TextExtractor(HTMLParser):
    def __init__(self, skipped):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0
        self.skipped = skipped

    def handle_starttag(self, tag, attrs):
        if tag in self.skipped:
            self.skipping += 1
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.skipped:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(html, *, ruby_readings=True):
    """The words a reader sees in `html`, entities decoded, whitespace collapsed (not HTML-safe).

    Without `ruby_readings`, ruby keeps its base text only: what is counted, not what is quoted.
    """
    extractor = _TextExtractor(SKIPPED_ELEMENTS if ruby_readings else SKIPPED_ELEMENTS | RUBY_ANNOTATIONS)
    extractor.feed(html or "")
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def truncate(text, length=EXCERPT_LENGTH):
    """Cut `text` to at most `length` characters, preferring a sentence end, else adding an ellipsis."""
    if len(text) <= length:
        return text
    head = text[:length]
    sentence_ends = [match.end() for match in SENTENCE_END.finditer(head)]
    if sentence_ends and sentence_ends[-1] >= length // 3:
        return head[: sentence_ends[-1]].rstrip()
    # Latin text: step back to a space if one is near; CJK text has none and is cut between characters.
    space = head.rfind(" ", length - length // 5)
    return (head[:space] if space > 0 else head[: length - 1]).rstrip() + "…"


def excerpt(post, length=EXCERPT_LENGTH):
    """What lists, meta descriptions and feeds show for `post`: its summary, or the start of its text."""
    if post.summary.strip():
        return post.summary.strip()
    return truncate(plain_text(post.body_html), length)
