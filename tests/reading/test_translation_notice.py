"""Readers of a translation that fell behind its original are told so, in their language, with a link to it."""

import json
import re

import pytest

from blog.models import Post
from tests.factories import make_essay_in_three_languages, make_post, make_translation, revise_second_paragraph

pytestmark = pytest.mark.django_db

NOTICE = re.compile(r'<aside class="translation-outdated".*?</aside>', re.DOTALL)


def notice(response):
    assert response.status_code == 200
    found = NOTICE.search(response.content.decode())
    return found.group(0) if found else None


def json_ld(response):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.DOTALL)
    return json.loads(match.group(1))


def test_outdated_translations_say_so_in_english_and_chinese_and_link_the_japanese_original(client):
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)

    english_notice = notice(client.get(english.get_absolute_url()))
    assert "This translation is out of date" in english_notice
    assert "The original, in Japanese, was updated on" in english_notice
    assert f'href="{original.get_absolute_url()}" hreflang="ja" lang="ja">研究室を出た日</a>' in english_notice

    chinese_notice = notice(client.get(chinese.get_absolute_url()))
    assert "此译文已过时" in chinese_notice
    assert "原文（日语）" in chinese_notice
    assert f'href="{original.get_absolute_url()}"' in chinese_notice

    assert notice(client.get(original.get_absolute_url())) is None


def test_an_outdated_japanese_translation_says_so_in_japanese():
    from django.test import Client

    source = make_post(title="Leaving the lab", slug="leaving", language="en", body="First.\n\nSecond.")
    japanese = make_translation(source, language="ja", title="研究室を出る", slug="deru", body="一つ目。\n\n二つ目。")
    source.body = "First.\n\nSecond, revised."
    source.save()
    japanese_notice = notice(Client().get(japanese.get_absolute_url()))
    assert "この翻訳は古くなっています" in japanese_notice
    assert "原文（英語）は" in japanese_notice
    assert f'href="{source.get_absolute_url()}" hreflang="en"' in japanese_notice


def test_up_to_date_translations_and_originals_show_no_notice(client):
    original, english, chinese = make_essay_in_three_languages()
    revise_second_paragraph(original, minor=True)
    for post in (original, english, chinese):
        assert notice(client.get(post.get_absolute_url())) is None


def test_a_translation_whose_source_is_a_draft_links_nowhere_and_says_nothing(client):
    original, english, _chinese = make_essay_in_three_languages()
    original.status = Post.Status.DRAFT
    revise_second_paragraph(original)
    assert notice(client.get(english.get_absolute_url())) is None


def test_json_ld_links_the_translation_and_its_source(client):
    original, english, chinese = make_essay_in_three_languages()
    source_data = json_ld(client.get(original.get_absolute_url()))
    assert sorted((work["inLanguage"], work["url"]) for work in source_data["workTranslation"]) == [
        ("en", "http://testserver" + english.get_absolute_url()),
        ("zh-hans", "http://testserver" + chinese.get_absolute_url()),
    ]
    assert "translationOfWork" not in source_data
    translation_data = json_ld(client.get(english.get_absolute_url()))
    assert translation_data["translationOfWork"] == {
        "@type": "BlogPosting",
        "@id": "http://testserver" + original.get_absolute_url(),
        "url": "http://testserver" + original.get_absolute_url(),
        "headline": "研究室を出た日",
        "inLanguage": "ja",
    }
    assert "workTranslation" not in translation_data


def test_the_cached_page_of_a_translation_expires_when_its_source_changes(client):
    original, english, _chinese = make_essay_in_three_languages()
    assert notice(client.get(english.get_absolute_url())) is None
    served_again = client.get(english.get_absolute_url())
    assert served_again.templates == [], "the second visit is served from the page cache"

    revise_second_paragraph(original)
    assert notice(client.get(english.get_absolute_url())) is not None


def test_an_outdated_translations_page_stays_within_the_query_budget(client, settings, django_assert_max_num_queries):
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    with django_assert_max_num_queries(6):
        assert notice(client.get(english.get_absolute_url())) is not None
