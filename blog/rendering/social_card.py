"""The social card: the 1200×630 PNG a link preview shows (og:image, twitter:image) when an essay has no cover.

Drawn once per version and title (Post.refresh_social_card), in Noto Serif CJK like the pages, with the title
broken at phrase boundaries for Japanese and Chinese (BudouX) and between words elsewhere.
"""

import functools
import io
import logging
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from blog.content.languages import language_info
from blog.rendering.phrases import parser as phrase_parser

logger = logging.getLogger(__name__)

SIZE = (1200, 630)
MARGIN = 80
PAPER = "#fbf8f1"
INK = "#1f1d1a"
MUTED = "#5c564d"
ACCENT = "#9c2f2f"
# Largest first: the title takes the largest size at which it fits in MAX_TITLE_LINES.
TITLE_SIZES = (76, 68, 60, 52, 46)
MAX_TITLE_LINES = 4
BYLINE_SIZE = 34
# Bump when the drawing changes, so every card is drawn again (its stored name includes this).
DESIGN_RELEASE = "2"

# Faces inside Debian's fonts-noto-cjk collections; each language gets its own glyph forms.
TITLE_FONT = "NotoSerifCJK-Bold.ttc"
BYLINE_FONT = "NotoSerifCJK-Regular.ttc"


class FontMissing(Exception):
    pass


def draw(title, authors, site_name, language):
    """The card as PNG bytes; FontMissing when the Noto CJK fonts are not installed (Makefile target `fonts`)."""
    # Line breaks (an imported title or name may hold them) would make the text layout (raqm) fail: card lines
    # are made here, so any whitespace is a space.
    title, authors = one_line(title), [one_line(name) for name in authors]
    image = Image.new("RGB", SIZE, PAPER)
    canvas = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    canvas.rectangle((0, 0, 16, SIZE[1]), fill=ACCENT)

    title_font, lines = fit_title(title, language, width)
    line_height = round(title_font.size * 1.3)
    y = MARGIN
    for line in lines:
        canvas.text((MARGIN, y), line, font=title_font, fill=INK)
        y += line_height

    byline_font = font(BYLINE_FONT, BYLINE_SIZE, language)
    bottom = SIZE[1] - MARGIN
    byline = ellipsize(language_info(language)["list_separator"].join(authors), byline_font, width * 0.7)
    canvas.text((MARGIN, bottom), byline, font=byline_font, fill=MUTED, anchor="ls")
    canvas.text((SIZE[0] - MARGIN, bottom), site_name, font=byline_font, fill=ACCENT, anchor="rs")

    # Four inks and their anti-aliased edges fit a 64-colour palette: a third of the RGB file's bytes, written in a
    # fifth of the time PNG's `optimize` took to save 2% of them.
    output = io.BytesIO()
    image.quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(output, format="PNG")
    return output.getvalue()


def one_line(text):
    return " ".join(text.split())


def fit_title(title, language, width):
    """The largest title font at which the title fits its lines; at the smallest, the last line ends in '…'."""
    pieces = phrases(title, language)
    for size in TITLE_SIZES:
        title_font = font(TITLE_FONT, size, language)
        lines = wrap(pieces, title_font, width)
        if len(lines) <= MAX_TITLE_LINES:
            return title_font, lines
    lines[MAX_TITLE_LINES - 1] = ellipsize("".join(lines[MAX_TITLE_LINES - 1 :]), title_font, width, force=True)
    return title_font, lines[:MAX_TITLE_LINES]


def phrases(title, language):
    """The pieces a line may break between: BudouX's phrases for Japanese and Chinese, else words with their space."""
    parser = phrase_parser(language)
    if parser is not None:
        return parser.parse(title)
    words = title.split()
    return [word + " " for word in words[:-1]] + words[-1:]


def wrap(pieces, title_font, width):
    """Greedy lines of whole pieces; a piece wider than a line (a long URL, a run of kanji) is cut by characters."""
    lines = [""]
    for piece in pieces:
        if title_font.getlength((lines[-1] + piece).rstrip()) <= width:
            lines[-1] += piece
            continue
        if lines[-1]:
            lines.append("")
        for character in piece:
            if lines[-1] and title_font.getlength(lines[-1] + character) > width:
                lines.append("")
            lines[-1] += character
    return [line.rstrip() for line in lines]


def ellipsize(text, text_font, width, force=False):
    if not force and text_font.getlength(text) <= width:
        return text
    while text and text_font.getlength(text.rstrip() + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def font(name, size, language):
    path = Path(settings.SOCIAL_CARD_FONT_DIR) / name
    # Checked here: given a path it cannot open, Pillow would look for a font of that name anywhere on the system.
    if not path.is_file():
        raise FontMissing(f"{path} is missing (Debian package fonts-noto-cjk; `make fonts`)")
    return truetype(str(path), size, language_info(language)["noto_cjk_face"])


@functools.cache
def truetype(path, size, index):
    return ImageFont.truetype(path, size, index=index)
