"""Search: substring matches for Japanese and Chinese, marked passages, and polite handling of bad input."""

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from blog.models import Post
from blog.reading import search
from tests.factories import make_post, url_in

pytestmark = pytest.mark.django_db


def search_page(client, query, language="en", **params):
    return client.get(url_in(language, "blog:search"), {"q": query, **params})


@pytest.mark.parametrize(
    ("query", "found", "missed"),
    [
        ("転職", "転職活動の記録", "研究室の日々"),
        ("博士", "读博士的第五年", "转行做工程师"),
        ("LEAVING", "On leaving academia", "Staying in the lab"),
    ],
)
def test_two_character_cjk_and_latin_queries_find_substrings(client, query, found, missed):
    make_post(language="ja", title="転職活動の記録", body="三十歳で転職活動を始めた。")
    make_post(language="ja", title="研究室の日々", body="実験と論文の毎日。")
    make_post(language="zh-hans", title="读博士的第五年", body="第五年，终于看到了毕业的希望。")
    make_post(language="zh-hans", title="转行做工程师", body="从实验室到公司。")
    make_post(title="On leaving academia", body="Why I left.")
    make_post(title="Staying in the lab", body="Why I stayed.")
    response = search_page(client, query)
    assert response.status_code == 200
    assertContains(
        response, found.replace(query, f"<mark>{query}</mark>") if query != "LEAVING" else "<mark>leaving</mark>"
    )
    assertNotContains(response, missed)


def test_search_covers_title_summary_and_body(client):
    make_post(title="Title has 蛍光灯", body="nothing")
    make_post(title="Summary one", summary="Summary has 蛍光灯", body="nothing")
    make_post(title="Body one", body="The body has 蛍光灯 in it.")
    results = search.search("蛍光灯", "en")
    assert {post.title for post in results} == {"Title has 蛍光灯", "Summary one", "Body one"}


def test_the_matched_passage_is_shown_marked_and_everything_else_escaped(client):
    body = "前置き。" * 40 + "そして<b>太字</b>の転職の話。" + "後書き。" * 40
    make_post(language="ja", title="長い随筆", body=body)
    response = search_page(client, "転職", language="ja")
    assertContains(response, "の<mark>転職</mark>の話。")
    assertContains(response, "…")
    assertNotContains(response, "前置き。" * 40)


def test_html_in_the_query_and_the_text_is_escaped(client):
    make_post(title="Angle <brackets> & more", body="Write `<script>alert(1)</script>` in a code span.")
    response = search_page(client, "<script>")
    assertNotContains(response, "<script>alert(1)")
    assertContains(response, "<mark>&lt;script&gt;</mark>")
    assertContains(response, 'value="&lt;script&gt;"')


def test_every_term_must_match(client):
    make_post(title="Physics and careers")
    make_post(title="Physics alone")
    response = search_page(client, "physics careers")
    assertContains(response, "<mark>Physics</mark> and <mark>careers</mark>")
    assertNotContains(response, "alone")


def test_drafts_and_scheduled_posts_are_not_found(client):
    make_post(title="Draft about 転職", status=Post.Status.DRAFT)
    make_post(title="Scheduled about 転職", publish_at=timezone.now() + timezone.timedelta(hours=1))
    response = search_page(client, "転職")
    assertContains(response, "No essay contains “転職”.")
    assertNotContains(response, "Draft about")
    assertNotContains(response, "Scheduled about")


def test_one_version_per_essay_preferring_the_readers_language(client):
    ja = make_post(language="ja", title="博士課程 ja", body="博士")
    make_post(language="zh-hans", title="博士课程 zh", body="博士", translation_key=ja.translation_key)
    assert [post.title for post in search.search("博士", "zh-hans")] == ["博士课程 zh"]
    assert [post.title for post in search.search("博士", "en")] == ["博士課程 ja"]
    response = search_page(client, "博士", lang="zh-hans")
    assertContains(response, 'class="search-result"', count=1)


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "\x00"])
def test_an_empty_query_shows_the_form_with_a_gentle_message(client, query):
    make_post(title="Anything")
    response = search_page(client, query)
    assert response.status_code == 200
    assertContains(response, '<label for="search-q">Words or phrase to find</label>', html=True)
    assertContains(response, "Type a word or phrase to search")
    assertNotContains(response, "Anything")


def test_a_missing_query_parameter_is_the_same_as_an_empty_one(client):
    response = client.get(url_in("en", "blog:search"))
    assert response.status_code == 200
    assertContains(response, "Type a word or phrase to search")


def test_a_ten_kilobyte_query_is_cut_with_a_notice(client):
    make_post(title="Essay on 転職", body="転職" * 10)
    response = search_page(client, "転職" + "x" * 10_240)
    assert response.status_code == 200
    assertContains(response, "only its first 200 characters were used")
    assert len(search.parse_query("転職" + "x" * 10_240).text) == search.MAX_QUERY_LENGTH


def test_many_terms_are_bounded():
    query = search.parse_query(" ".join(f"w{n}" for n in range(50)))
    assert len(query.terms) == search.MAX_TERMS


def test_results_are_paginated_and_bad_pages_are_404(client, settings):
    for n in range(settings.BUNKO_POSTS_PER_PAGE + 2):
        make_post(title=f"Match {n}")
    first = search_page(client, "match")
    assertContains(first, "Essays that contain “match”, newest first.")
    assertContains(first, 'class="search-result"', count=settings.BUNKO_POSTS_PER_PAGE)
    assertContains(first, 'rel="next" href="?q=match&amp;page=2"')
    assert search_page(client, "match", page=2).status_code == 200
    for page in ["0", "-3", "x", "3"]:
        assert search_page(client, "match", page=page).status_code == 404


@pytest.mark.parametrize(("query", "found"), [("%", ["100% sure"]), ("0%", ["100% sure"]), ("_", []), ("%_", [])])
def test_like_wildcards_in_the_query_are_literal(query, found):
    make_post(title="100% sure")
    make_post(title="Unrelated")
    assert [post.title for post in search.search(query, "en")] == found


def titles_found(query):
    return {post.title for post in search.search(query, "ja")}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("蛍光灯", {"蛍光灯の下で"}),  # its bigrams 蛍光 and 光灯 must also be neighbours
        ("蛍光", {"蛍光灯の下で", "蛍光ペンと光灯"}),
        ("光", {"蛍光灯の下で", "蛍光ペンと光灯"}),  # one character, as before
        ("研究室の日々", {"研究室の日々"}),
        ("研究室の日", {"研究室の日々"}),
        ("光 日々", set()),
        ("の 研究", {"研究室の日々", "蛍光灯の下で"}),  # each term anywhere: 研究 is in 蛍光灯の下で's body
    ],
)
def test_words_of_any_length_are_found_only_where_they_occur_whole(query, found):
    make_post(language="ja", title="蛍光灯の下で", body="夜の研究。")
    make_post(language="ja", title="蛍光ペンと光灯", body="文房具の話。")
    make_post(language="ja", title="研究室の日々", body="実験と論文。")
    assert titles_found(query) == found


def test_a_word_split_between_title_and_body_is_not_found():
    make_post(language="ja", title="読博", body="士の生活。")
    assert titles_found("博士") == set()
    assert titles_found("読博") == {"読博"}


def test_case_is_ignored_in_two_letter_and_longer_words():
    make_post(title="My PhD, in brief", body="It took five years.")
    for query in ["phd", "pH", "PHD,", "fIVE"]:
        assert {post.title for post in search.search(query, "en")} == {"My PhD, in brief"}


def test_an_edited_essay_is_found_by_its_new_words_only():
    post = make_post(language="ja", title="随筆", body="転職の話。")
    post.body = "留学の話。"
    post.save()
    assert titles_found("留学") == {"随筆"}
    assert titles_found("転職") == set()


def test_results_come_newest_first():
    now = timezone.now()
    for days, title in [(3, "三日前の博士"), (1, "昨日の博士"), (2, "一昨日の博士")]:
        make_post(language="ja", title=title, publish_at=now - timezone.timedelta(days=days))
    assert [post.title for post in search.search("博士", "ja")] == ["昨日の博士", "一昨日の博士", "三日前の博士"]


# -- what search reads: the prose, not the page's furniture or the Markdown around it --------------------------

VIDEO = "https://www.youtube.com/watch?v=MgE-e65W5oI"


def passage_of(client, query, language="ja"):
    """The one result's quoted passage, as the reader sees it on the results page."""
    hits = search_page(client, query, language=language).context["hits"]
    assert len(hits) == 1, [hit.post.title for hit in hits]
    return str(hits[0].passage_html)


def test_a_video_is_quoted_and_found_by_its_title_not_by_its_play_label():
    """Snippets read "▶ 動画を再生 YouTube", yet searching 動画 or YouTube should not find a bare link to a video."""
    make_post(language="ja", title="講演", body=f"講演の録画です。\n\n{VIDEO}\n\n最後まで見てくださってありがとう。")
    pasted = f'<iframe width="560" height="315" src="{VIDEO.replace("watch?v=", "embed/")}" title="博士論文の公開発表">'
    make_post(language="ja", title="発表", body=f"発表の様子。\n\n{pasted}</iframe>\n\n質疑応答もありました。")

    for furniture in ("動画", "YouTube", "▶", "youtube.com"):
        assert not search.search(furniture, "ja").exists(), furniture
    assert [post.title for post in search.search("博士論文", "ja")] == ["発表"]


def test_snippets_quote_the_prose_around_a_video_without_its_label(client):
    make_post(language="ja", title="講演", body=f"講演の録画です。\n\n{VIDEO}\n\n最後まで見てくださってありがとう。")
    passage = passage_of(client, "最後")
    assert passage == "講演の録画です。 <mark>最後</mark>まで見てくださってありがとう。"


def test_footnote_marks_and_back_links_are_left_out_of_snippets(client):
    make_post(language="ja", title="注", body="本文に注がある[^1]ので読む。\n\n[^1]: 注の中身はここ。")
    assert passage_of(client, "中身") == "本文に注があるので読む。 注の<mark>中身</mark>はここ。"


def test_tables_are_searched_by_their_words_not_their_pipes(client):
    make_post(title="Results", body="| Method | Score |\n|---|---|\n| Baseline | 0.71 |")
    assert not search.search("|", "en").exists()
    assert not search.search("---", "en").exists()
    assert passage_of(client, "baseline", language="en") == "Method Score <mark>Baseline</mark> 0.71"


def test_alt_texts_and_captions_are_searched_and_quoted(client):
    body = '結果は次の通り。\n\n![棒グラフの比較](/media/chart.png "三つの手法")\n\n以上。'
    make_post(language="ja", title="図", body=body)
    assert passage_of(client, "棒グラフ") == "結果は次の通り。 <mark>棒グラフ</mark>の比較 三つの手法 以上。"


def test_formulas_are_quoted_as_their_tex_source(client):
    """Formulas vanished from snippets: MathML is not text, so the source the writer typed stands in for it."""
    body = "円の面積は $\\pi r^2$ で、$$2\\pi r$$ は周の長さ。\n\n$$\nS = \\pi r^2\n$$"
    make_post(language="ja", title="円", body=body)
    passage = passage_of(client, "面積")
    assert passage == "円の<mark>面積</mark>は $\\pi r^2$ で、 $2\\pi r$ は周の長さ。 $$S = \\pi r^2$$"
    assert [post.title for post in search.search("\\pi", "ja")] == ["円"]
