"""Traditional Chinese from Simplified, converted phrase by phrase with OpenCC on save (never per request).

`s2twp` is OpenCC's Simplified → Traditional (Taiwan standard) with Taiwan phrasing: 软件 → 軟體, 代码 → 程式碼.
Converting phrase by phrase gets the one-to-many characters right where a character table cannot
(头发 → 頭髮 but 发现 → 發現, 面条 → 麵條, 历史 → 歷史 but 日历 → 日曆). In HTML only the text is converted:
tags and attributes (a link to a Simplified slug, a heading's id the table of contents points at) and code stay
as written.
"""

import functools
import re

import opencc

from blog.content.languages import language_info

# The variant's language code (URLs, the interface catalogue) and the tag its pages carry (BCP 47's script subtag).
LANGUAGE = "zh-hant"
LANGUAGE_TAG = language_info(LANGUAGE)["tag"]
CONFIG = language_info(LANGUAGE)["opencc_config"]
# A tag (sanitised HTML has no `>` inside attribute values: nh3 escapes it) or a comment.
TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
# Elements whose text is code or markup, kept character for character.
VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "math"}


@functools.cache
def converter():
    """OpenCC's converter, loaded once per process."""
    return opencc.OpenCC(CONFIG)


def text(simplified):
    """Plain text in Traditional characters."""
    return converter().convert(simplified) if simplified else simplified


def html(simplified):
    """HTML with its text (outside code) in Traditional characters and its markup unchanged."""
    if not simplified:
        return simplified
    pieces = TAG.split(simplified)
    verbatim_depth = 0
    for index, piece in enumerate(pieces):
        if index % 2:
            name = TAG_NAME.match(piece)
            if name and name.group(1).lower() in VERBATIM and not piece.endswith("/>"):
                verbatim_depth += -1 if piece.startswith("</") else 1
                verbatim_depth = max(verbatim_depth, 0)
        elif piece and not verbatim_depth:
            pieces[index] = converter().convert(piece)
    return "".join(pieces)
