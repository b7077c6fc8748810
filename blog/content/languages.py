"""What Bunko knows about each language, in one table: how its text is counted and read, cited and tagged.

Modelled on Django's `django.conf.locale.LANG_INFO` (names and text direction stay there): one entry per
language code, with `fallback` entries for codes that mean another. The renderer, the citation styles, the
importer, the pages' meta tags and the writing room's script (through its config JSON) all read these facts
here, so a count in the editor and on the page can never disagree.

The CJK character class is here too, built from one list of code point ranges, for Python (`CJK`) and for
the browser (`javascript_class`).
"""

import math
import re

from django.conf import settings

LANGUAGE_INFO = {
    "ja": {
        "code": "ja",
        "tag": "ja",  # BCP 47: <html lang>, hreflang, Content-Language
        "counted_by_character": True,  # no spaces between words: the editor counts characters, diffs go by character
        # How fast its readers read CJK characters and (in Latin text between them) words.
        "characters_per_minute": 400,
        "words_per_minute": 230,
        "slug_in_own_script": True,  # readers read a slug in the title's script; a romanisation would be guesswork
        "csl_locale": "ja-JP",
        "csl_dates_run_together": True,  # 「2024年1月22日」, one word, where the styles write "2024, January 22"
        "opengraph_locale": "ja_JP",
        "phrase_parser": "load_default_japanese_parser",  # BudouX: headings and titles break between phrases
        "noto_cjk_face": 0,  # the face inside Noto's CJK collections with this language's glyph forms
        "list_separator": "、",
        "vertical_writing": True,  # the essay page offers to set it vertically (static/js/embeds.js)
        "aliases": ("jp", "jpn", "japanese", "日本語"),  # how front matter may name it (blog.portability)
    },
    "zh-hans": {
        "code": "zh-hans",
        "tag": "zh-Hans",
        "counted_by_character": True,
        "characters_per_minute": 400,
        "words_per_minute": 230,
        "slug_in_own_script": True,
        "csl_locale": "zh-CN",
        "csl_dates_run_together": True,
        "opengraph_locale": "zh_CN",
        "phrase_parser": "load_default_simplified_chinese_parser",
        "noto_cjk_face": 2,
        "list_separator": "、",
        "vertical_writing": False,
        "aliases": ("zh", "zh-cn", "zh-sg", "chinese", "zho", "中文", "简体中文"),
    },
    # Not a language posts are written in: Simplified essays served converted (blog.rendering.traditional).
    "zh-hant": {
        "code": "zh-hant",
        "tag": "zh-Hant",
        "counted_by_character": True,
        "characters_per_minute": 400,
        "words_per_minute": 230,
        "slug_in_own_script": True,
        "csl_locale": "zh-TW",
        "csl_dates_run_together": True,
        "opengraph_locale": "zh_TW",
        "phrase_parser": "load_default_traditional_chinese_parser",
        "noto_cjk_face": 3,
        "list_separator": "、",
        "vertical_writing": False,
        "aliases": (),
        "converted_from": "zh-hans",
        "opencc_config": "s2twp",  # Simplified → Traditional (Taiwan standard) with Taiwan phrasing
    },
    "en": {
        "code": "en",
        "tag": "en",
        "counted_by_character": False,
        "characters_per_minute": 400,
        "words_per_minute": 230,
        "slug_in_own_script": False,
        "csl_locale": "en-US",
        "csl_dates_run_together": False,
        "opengraph_locale": "en_US",
        "phrase_parser": None,
        "noto_cjk_face": 0,
        "list_separator": ", ",
        "vertical_writing": False,
        "aliases": ("eng", "english"),
    },
    # Codes browsers and front matter use for the same languages, as Django's LANG_INFO maps them.
    "zh": {"fallback": ["zh-hans"]},
    "zh-cn": {"fallback": ["zh-hans"]},
    "zh-sg": {"fallback": ["zh-hans"]},
    "zh-my": {"fallback": ["zh-hans"]},
    "zh-tw": {"fallback": ["zh-hant"]},
    "zh-hk": {"fallback": ["zh-hant"]},
    "zh-mo": {"fallback": ["zh-hant"]},
}

# A language the table does not know: written with spaces, cited in US English.
UNKNOWN_LANGUAGE = {**LANGUAGE_INFO["en"], "opengraph_locale": None, "aliases": ()}

# Code point ranges of text written without spaces between words: Han, kana and the punctuation between them.
# Hangul is not here: Korean separates its words with spaces. Nor is U+3000, the ideographic space: a space.
HAN_RANGES = (
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x303B, 0x303B),  # 〻
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x3FFFF),  # Extension B onwards and the compatibility supplement (planes 2 and 3)
)
KANA_RANGES = (
    (0x3040, 0x30FF),  # hiragana, katakana (ー, ・, ヶ)
    (0x31F0, 0x31FF),  # katakana phonetic extensions (small ㇰ)
    (0xFF66, 0xFF9F),  # half-width katakana
    (0x1B000, 0x1B16F),  # kana supplement and extended-A (hentaigana)
)
CJK_RANGES = (
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x2FF0, 0x2FFF),  # ideographic description characters
    (0x3001, 0x303F),  # CJK symbols and punctuation: 、。「」〜 and 々〆〇〻
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x3190, 0x31FF),  # kanbun, bopomofo extended, CJK strokes, katakana phonetic extensions
    (0x3200, 0x4DBF),  # enclosed CJK letters (㈱), CJK compatibility (㌔), Extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms (vertical punctuation)
    (0xFF01, 0xFF9F),  # full-width forms (！，：Ａ１) and half-width katakana
    (0xFFE0, 0xFFE6),  # full-width signs (￥)
    (0x1B000, 0x1B16F),  # kana supplement and extended-A
    (0x20000, 0x3FFFF),  # Extension B onwards and the compatibility supplement
)


def python_class(ranges):
    """The inside of a regex character class for `ranges`, as Python's `re` reads it: `[{...}]`."""
    return "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in ranges)


def javascript_class(ranges):
    """A JavaScript character class for `ranges`, for a RegExp with the `u` flag (astral characters whole)."""
    return "[" + "".join(f"\\u{{{first:x}}}-\\u{{{last:x}}}" for first, last in ranges) + "]"


HAN_CHARACTERS = python_class(HAN_RANGES)
CJK_CHARACTERS = python_class(CJK_RANGES)
HAN = re.compile(f"[{HAN_CHARACTERS}]")
KANA = re.compile(f"[{python_class(KANA_RANGES)}]")
CJK = re.compile(f"[{CJK_CHARACTERS}]")
# A word of a language written with spaces: letters and digits, joined by an apostrophe or a hyphen ("don't").
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
WORD_JAVASCRIPT = r"[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*"  # the same, for a RegExp with the `u` flag


def language_info(code):
    """The facts about `code` (any case; `en-us` falls back to `en`, as Django's get_language_info does)."""
    code = (code or settings.LANGUAGE_CODE).lower()
    info = LANGUAGE_INFO.get(code) or LANGUAGE_INFO.get(code.split("-")[0])
    if info is None:
        return {**UNKNOWN_LANGUAGE, "code": code, "tag": code}
    if "fallback" in info:
        return LANGUAGE_INFO[info["fallback"][0]]
    return info


def counted_by_character(code):
    return language_info(code)["counted_by_character"]


def csl_locale(code):
    return language_info(code)["csl_locale"]


def reading_minutes(text, language):
    """Minutes to read plain `text` in an essay in `language`: CJK characters one by one, the rest by words.

    The writing room's script computes the same from the facts writing_room_facts() hands it.
    """
    info = language_info(language)
    characters = len(CJK.findall(text))
    words = len(WORD.findall(CJK.sub(" ", text)))
    if not characters and not words:
        return 0
    return math.ceil(characters / info["characters_per_minute"] + words / info["words_per_minute"])


def writing_room_facts():
    """What the writing room's script counts with: the CJK class, the word pattern and each site language's rates."""
    return {
        "cjk": javascript_class(CJK_RANGES),
        "word": WORD_JAVASCRIPT,
        "defaultLanguage": settings.LANGUAGE_CODE,
        "languages": {
            code: {
                "countedByCharacter": language_info(code)["counted_by_character"],
                "charactersPerMinute": language_info(code)["characters_per_minute"],
                "wordsPerMinute": language_info(code)["words_per_minute"],
            }
            for code, _name in settings.LANGUAGES
        },
    }
