"""Plain text drawn from stored HTML: excerpts for lists, meta descriptions and feeds, and search passages.

Japanese and Chinese have no spaces between words, so nothing here cuts at words: excerpts end at a
sentence end when one falls inside the limit, otherwise at a character boundary with an ellipsis.
"""

import re
from html import unescape
from html.parser import HTMLParser

EXCERPT_LENGTH = 160
SENTENCE_END = re.compile(r"[。．！？!?]|\.(?=\s|$)")
# Text inside these elements is not prose a reader would quote (code for embeds, formulas, styles).
SKIPPED_ELEMENTS = {"script", "style", "template", "math", "svg", "iframe", "noscript"}
# The page's furniture around embeds and footnotes (classes blog.rendering gives them): not the writer's words.
FURNITURE_CLASSES = {"embed-play", "embed-label", "embed-provider", "footnote-ref", "footnote-backref"}
# Ruby readings and their fallback parentheses: shown as 漢字(かんじ) in plain text, not read as more text.
RUBY_ANNOTATIONS = {"rt", "rp"}
TEX_ENCODING = "application/x-tex"  # a formula's annotation holding its TeX source (blog.rendering.extensions)
VOID_ELEMENTS = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"}
# An image in sanitised HTML (blog.rendering): nh3 writes attributes double-quoted, `"` inside them as &quot;.
IMAGE_TAG = re.compile(r"<img\s[^>]*>")
IMAGE_ATTRIBUTE = re.compile(r'\s(src|alt)="([^"]*)"')
BLOCK_ELEMENTS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "table", "td", "th", "tr", "ul",
}  # fmt: skip


class _TextExtractor(HTMLParser):
    def __init__(self, skipped=SKIPPED_ELEMENTS):
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


class _SearchTextExtractor(_TextExtractor):
    """The prose as search reads it: page furniture left out, images by their alt text, formulas as TeX, ruby as
    its base text whole with its readings kept apart (a reader searching 東京 must find `{東|とう}{京|きょう}`, and
    one searching とうきょう must too)."""

    def __init__(self):
        super().__init__(SKIPPED_ELEMENTS | RUBY_ANNOTATIONS)
        self.open_elements = []  # (tag, whether it is furniture) for each element not yet closed
        self.display_formula = False
        self.tex = None  # the TeX source of the open formula, while its annotation is read
        self.readings = []  # one word per run of adjacent rubies
        self.reading = None  # the open <rt>'s text
        self.ruby_ended_at = None  # len(parts) when the last ruby closed: a ruby starting there joins its word

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "ruby" and not self.skipping and self.ruby_ended_at != len(self.parts):
            self.readings.append("")
        elif tag == "rt" and not self.skipping and self.readings:
            self.reading = []
        if tag == "math":
            self.display_formula = attributes.get("display") == "block"
        elif tag == "annotation" and attributes.get("encoding") == TEX_ENCODING:
            self.tex = []
        if tag not in VOID_ELEMENTS:
            furniture = not FURNITURE_CLASSES.isdisjoint(attributes.get("class", "").split())
            self.open_elements.append((tag, furniture))
            self.skipping += furniture
        if tag == "img" and not self.skipping:
            self.parts.append(f" {attributes.get('alt', '')} ")
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        if tag == "rt" and self.reading is not None:
            self.readings[-1] += "".join(self.reading)
            self.reading = None
        elif tag == "ruby":
            self.ruby_ended_at = len(self.parts)
        if tag == "annotation" and self.tex is not None:
            source = " ".join("".join(self.tex).split())
            self.tex = None
            # Only <math> itself skips here (plain text leaves formulas out); search shows their source.
            if source and self.skipping == 1:
                self.parts.append(f" $${source}$$ " if self.display_formula else f" ${source}$ ")
        # Sanitised HTML closes what it opens; searching back keeps a stray end tag from unbalancing the count.
        for index in range(len(self.open_elements) - 1, -1, -1):
            if self.open_elements[index][0] == tag:
                self.skipping -= sum(furniture for _, furniture in self.open_elements[index:])
                del self.open_elements[index:]
                break

    def handle_data(self, data):
        if self.tex is not None:
            self.tex.append(data)
        elif self.reading is not None:
            self.reading.append(data)
        else:
            super().handle_data(data)


def search_text(html):
    """What search finds and quotes in a post's body: its prose, alt texts, embed titles and formulas' TeX.

    Left out is what the page adds around the writer's words: a video's play mark, "Play video" label and
    provider name, footnote numbers and their back-links. Tables come out as their cells' words. Ruby readings
    follow the text, one word per run of adjacent rubies.
    """
    extractor = _SearchTextExtractor()
    extractor.feed(html or "")
    extractor.close()
    return " ".join(" ".join(["".join(extractor.parts), *filter(None, extractor.readings)]).split())


def first_image(html):
    """(src, alt) of the first image in sanitised `html` with an address other pages can fetch, or None."""
    for tag in IMAGE_TAG.finditer(html or ""):
        attributes = {name: unescape(value) for name, value in IMAGE_ATTRIBUTE.findall(tag.group())}
        if attributes.get("src", "").startswith(("/", "https://", "http://")):
            return attributes["src"], attributes.get("alt", "")
    return None


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
