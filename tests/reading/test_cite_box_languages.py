"""The Cite box in the essay's language: the CSL locale's dates, CJK names as written (their romanisation in
English references only) and the address as a reader reads it."""

from datetime import UTC, datetime

import pytest

from tests.factories import make_author, make_post
from tests.reading.machine_readable import citation, page_parts, read_bibtex, read_csl, read_ris

pytestmark = pytest.mark.django_db

JANUARY_22 = datetime(2024, 1, 22, 3, tzinfo=UTC)
TITLES = {"ja": "朝の研究室", "zh-hans": "早晨的实验室", "en": "The lab in the morning"}
SLUGS = {"ja": "朝の研究室", "zh-hans": "早晨的实验室", "en": "the-lab-in-the-morning"}
# (APA, Chicago) as each language's Cite box begins them.
REFERENCES = {
    "ja": ("森 遥. (2024年1月22日). 朝の研究室.", "森 遥. 2024年. 「朝の研究室」."),
    "zh-hans": ("森 遥. (2024年1月22日). 早晨的实验室.", "森 遥. 2024年. 《早晨的实验室》."),
    "en": ("Mori, H. (2024, January 22). The lab in the morning.", "Mori, H. 2024. “The Lab in the Morning”."),
}
# The author as BibTeX and RIS name her.
AUTHORS = {"ja": ("森 遥", "森 遥"), "zh-hans": ("森 遥", "森 遥"), "en": ("Mori, Haruka", "Mori, Haruka")}


def essay_in(language):
    """An essay by an author whose display name carries her romanisation (her profile has no romanised name)."""
    author = make_author("森 遥 (Haruka Mori)")
    return make_post(
        title=TITLES[language], slug=SLUGS[language], language=language, publish_at=JANUARY_22, authors=[author]
    )


@pytest.mark.parametrize("language", ["ja", "zh-hans", "en"])
def test_the_cite_box_writes_dates_and_names_the_way_the_essays_language_does(client, language):
    references = page_parts(client, essay_in(language)).references
    apa, chicago = REFERENCES[language]
    assert references["cite-apa"].startswith(apa)
    assert references["cite-chicago-author-date"].startswith(chicago)


@pytest.mark.parametrize("language", ["ja", "zh-hans", "en"])
def test_the_downloads_name_the_author_without_her_romanisation_on_cjk_essays(client, language):
    post = essay_in(language)
    bibtex_author, ris_author = AUTHORS[language]
    assert read_bibtex(citation(client, post, "bib"))["author"] == bibtex_author
    assert read_ris(citation(client, post, "ris"))["authors"] == [ris_author]
    assert "(Haruka Mori)" not in citation(client, post, "json")


@pytest.mark.parametrize("language", ["ja", "zh-hans"])
def test_the_cite_box_shows_the_address_decoded_and_the_downloads_keep_it_encoded(client, language):
    post = essay_in(language)
    address = f"http://testserver/{language}/posts/{SLUGS[language]}/"
    assert page_parts(client, post).references["cite-apa"].endswith(address)
    assert read_csl(citation(client, post, "json"))[0]["URL"] == "http://testserver" + post.get_absolute_url()
    assert "%" in post.get_absolute_url()
