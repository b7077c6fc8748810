"""Ruby (furigana, pinyin) in Markdown: the Aozora Bunko syntax Narou and Kakuyomu use, and DenDen Markdown's.

- `|漢字《かんじ》` or `｜漢字《かんじ》`: the base runs from the bar to `《`, whatever its characters.
- `漢字《かんじ》`: with no bar, the base is the run of kanji right before `《`.
- `{漢字|かんじ}`: DenDen's group ruby; `{漢字|かん|じ}`, as many readings as base characters, gives each
  character its own reading inside one `<ruby>` (as DenDen Markdown does), so the word stays one element.
  A count that matches neither stays as written, so the writer sees the slip in the preview.

`\\{` escapes DenDen's brace. The pattern runs after code spans, math and links have taken their text,
so code and URLs keep their `《》{|}`.
"""

import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from blog.content.languages import HAN_CHARACTERS

# Han ideographs and the marks written among them (々〆〇〻), and ヶ as in 一ヶ月.
KANJI = HAN_CHARACTERS + "ヶ"
# Bounded lengths keep a paragraph full of kanji and stray 《 linear to scan.
RUBY = (
    r"[|｜](?P<aozora_base>[^|｜《》\n]{1,50})《(?P<aozora_reading>[^《》\n]{1,50})》"
    rf"|(?P<kanji_base>[{KANJI}]{{1,20}})《(?P<kanji_reading>[^《》\n]{{1,50}})》"
    r"|\{(?P<denden_base>[^{}|\n]{1,50})\|(?P<denden_readings>[^{}\n]{1,100})\}"
)
PARENTHESES = ("(", ")")  # shown by browsers without ruby support, and in plain text: 漢字(かんじ)


def ruby_pairs(match):
    """[(base, reading), …] that `match` of RUBY annotates, or None when its readings do not fit its base."""
    if match.group("aozora_base") is not None:
        return [(match.group("aozora_base"), match.group("aozora_reading"))]
    if match.group("kanji_base") is not None:
        return [(match.group("kanji_base"), match.group("kanji_reading"))]
    base, readings = match.group("denden_base"), match.group("denden_readings").split("|")
    if len(readings) == 1:
        return [(base, readings[0])]
    if len(readings) == len(base) and all(readings):
        return list(zip(base, readings, strict=True))
    return None


class RubyInlineProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        pairs = ruby_pairs(m)
        if pairs is None:
            return None, None, None
        ruby = etree.Element("ruby")
        previous = None
        for base, reading in pairs:
            if previous is None:
                ruby.text = base
            else:
                previous.tail = base
            opening = etree.SubElement(ruby, "rp")
            opening.text = PARENTHESES[0]
            etree.SubElement(ruby, "rt").text = reading
            previous = etree.SubElement(ruby, "rp")
            previous.text = PARENTHESES[1]
        return ruby, m.start(0), m.end(0)


class RubyExtension(Extension):
    def extendMarkdown(self, md):
        # After code spans (190), escapes (180), math (185), links and images (160-150), autolinks (120) and
        # raw HTML (90): their text and URLs are taken first. Before emphasis (60), which may wrap a ruby.
        md.inlinePatterns.register(RubyInlineProcessor(RUBY, md), "ruby", 75)
