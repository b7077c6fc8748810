"""The one table of language facts: every language has its facts, one CJK class decides everywhere, and the
writing room counts with what the renderer counts with."""

import html
import json
import math
import re

import pytest
from django.conf import settings
from django.utils import translation

from blog.content.languages import CJK, HAN_RANGES, KANA_RANGES, LANGUAGE_INFO, language_info
from blog.content.plain_text import plain_text
from blog.reading.citation.csl import csl_name
from blog.reading.jinja2 import reading_time
from blog.rendering import render
from tests.factories import make_post

# (character, CJK?): what a reader of Japanese or Chinese reads as part of the text without spaces.
TRICKY_CHARACTERS = [
    ("漢", True),
    ("々", True),  # iteration mark: 人々
    ("〆", True),  # 〆切
    ("〇", True),
    ("ヶ", True),  # 一ヶ月
    ("ー", True),  # katakana prolonged sound mark
    ("ｶ", True),  # half-width katakana
    ("㐀", True),  # Extension A
    ("𠮷", True),  # Extension B, beyond the BMP
    ("豈", True),  # compatibility ideograph
    ("、", True),
    ("。", True),
    ("「", True),
    ("！", True),  # full-width punctuation
    ("Ａ", True),  # full-width Latin, written inside Japanese text
    ("㌔", True),
    ("ㄅ", True),  # bopomofo
    ("한", False),  # Hangul: Korean puts spaces between words
    ("a", False),
    ("é", False),
    ("“", False),  # shared with English text
]
CJK_CHARACTERS = [character for character, cjk in TRICKY_CHARACTERS if cjk]


def code_points(ranges):
    return {code for first, last in ranges for code in range(first, last + 1)}


def test_every_site_language_and_traditional_chinese_has_every_fact():
    facts = set(LANGUAGE_INFO["en"])
    for code in [*dict(settings.LANGUAGES), "zh-hant"]:
        assert set(language_info(code)) >= facts, code
        assert language_info(code)["code"] == code


def test_only_japanese_and_chinese_are_counted_by_character():
    assert [code for code, _name in settings.LANGUAGES if language_info(code)["counted_by_character"]] == [
        "ja",
        "zh-hans",
    ]
    assert language_info("zh-hant")["counted_by_character"]


@pytest.mark.parametrize(
    ("code", "tag", "csl_locale"),
    [("zh-TW", "zh-Hant", "zh-TW"), ("zh-cn", "zh-Hans", "zh-CN"), ("en-GB", "en", "en-US"), ("fr", "fr", "en-US")],
)
def test_other_codes_fall_back_to_their_language_and_unknown_ones_to_words_and_us_english(code, tag, csl_locale):
    info = language_info(code)
    assert (info["tag"], info["csl_locale"]) == (tag, csl_locale)
    assert info["counted_by_character"] is tag.startswith("zh")


@pytest.mark.parametrize(("character", "cjk"), TRICKY_CHARACTERS)
def test_the_cjk_class_decides_alike_for_line_breaks_links_reading_time_and_cited_names(character, cjk):
    # A line break between two CJK characters is dropped; elsewhere it stays a space.
    assert ("あ" + character in render("あ\n" + character).html) is cjk
    # A URL ends where CJK text begins (Japanese writes no space after it).
    assert ('href="https://example.com/a"' in render("見て https://example.com/a" + character).html) is cjk
    # 300 CJK characters are read in a minute; 300 words take two.
    if not cjk and re.match(r"\w", character):
        assert render((character + " ") * 300, language="ja").reading_minutes == 2
    if cjk:
        assert render((character + " ") * 300, language="ja").reading_minutes == 1
    # A name with a CJK character in it is cited as written, never split into given and family names.
    assert ("literal" in csl_name("Mori " + character)) is cjk


def test_kana_and_han_are_cjk_and_the_ideographic_space_is_a_space():
    assert all(CJK.match(chr(code)) for code in code_points(HAN_RANGES) | code_points(KANA_RANGES))
    assert not CJK.match("\u3000")
    assert "あ\u3000い" in render("あ\u3000い").html


SAMPLES = {
    "ja": "人々は〆切の一ヶ月前から、𠮷野家で「Python 3」を学んだ。" * 40 + "\n\nLatin words in between. " * 20,
    "zh-hans": "我们在实验室里写了三年的论文，“读博”是否值得？" * 60 + " Some English here." * 30,
    "en": "Why I left the lab after five years of experiments. " * 60 + "「引用」と書いた。" * 20,
}


def writing_room_config(client, post):
    page = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    return json.loads(html.unescape(re.search(r'id="writing-room-config" hidden data-config="([^"]*)"', page)[1]))


def minutes_as_the_writing_room_counts(text, counting, language):
    """The writing room script's count, with the facts its config hands it (JavaScript's \\u{...} read as such)."""
    cjk = re.compile(re.sub(r"\\u\{([0-9a-f]+)\}", lambda code: chr(int(code[1], 16)), counting["cjk"]))
    word = re.compile(counting["word"].replace(r"[\p{L}\p{N}]", r"[^\W_]"))
    rates = counting["languages"][language]
    characters, words = len(cjk.findall(text)), len(word.findall(cjk.sub(" ", text)))
    return math.ceil(characters / rates["charactersPerMinute"] + words / rates["wordsPerMinute"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", SAMPLES)
def test_the_page_shows_the_reading_time_the_writing_room_counts(admin_client, client, language):
    post = make_post(title="Sample", language=language, body=SAMPLES[language])
    counting = writing_room_config(admin_client, post)["counting"]
    expected = minutes_as_the_writing_room_counts(plain_text(post.body_html, ruby_readings=False), counting, language)

    page = client.get(post.get_absolute_url()).content.decode()
    assert expected > 1
    with translation.override(language):
        assert f"<span>{reading_time(expected)}</span>" in page
