"""The Cite box in a real browser, under the site's Content-Security-Policy: copy buttons that work, and a box
that still reads (and downloads) without JavaScript."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.checks import blocking_violations, checker_errors
from tests.factories import make_author, make_post

pytestmark = pytest.mark.browser


def test_reader_copies_the_apa_reference_to_the_clipboard(page, library):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(library.phd_en.get_absolute_url())
    box = page.get_by_role("complementary", name="Cite this essay")
    reference = box.locator("#cite-apa")
    expect(reference).to_contain_text("Looking back on my PhD")

    box.get_by_role("button", name="Copy APA").click()

    expect(box.get_by_role("status")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == " ".join(reference.inner_text().split())
    assert copied.startswith("山田 花子. (")


def test_without_javascript_the_references_read_and_download_with_no_dead_buttons(browser, live_server, library):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(library.phd_ja.get_absolute_url())
        box = page.get_by_role("complementary", name="このエッセイを引用する")
        expect(box.locator("#cite-apa")).to_contain_text("博士課程を振り返って")
        expect(box.get_by_role("button")).to_have_count(0)  # hidden: nothing to press that would do nothing
        with page.expect_download() as download:
            box.get_by_role("link", name="BibTeX").click()
        assert download.value.suggested_filename == f"bunko{library.phd_ja.pk}.bib"
    finally:
        context.close()


def fully_cited_translation():
    """A republished translation with every citation field: DOI, version, ORCID iDs, a romanised name."""
    return make_post(
        title="How to do great work",
        slug="great-work",
        summary="On choosing what to work on.",
        doi="10.5281/zenodo.1234567",
        revised_on=date(2024, 5, 2),
        original_title="How to Do Great Work",
        original_author="Paul Graham",
        original_url="https://paulgraham.example/greatwork.html",
        original_published_on=date(2023, 7, 1),
        authors=[
            make_author("佐藤 花子", romanized_name="Hanako Sato", orcid="0000-0002-1825-0097"),
            make_author("Sam Okafor", orcid="0000-0002-1694-233X"),
        ],
    )


def test_a_fully_cited_page_passes_the_w3c_html_checker(client, db, tmp_path):
    """Every meta tag name the citation adds (Highwire's, Dublin Core's) is one the checker knows."""
    page = tmp_path / "cited.html"
    page.write_bytes(client.get(fully_cited_translation().get_absolute_url()).content)
    errors = checker_errors([page])
    assert errors == [], "\n".join(errors)


def test_a_fully_cited_page_has_no_serious_accessibility_violations(page):
    page.goto(fully_cited_translation().get_absolute_url())
    expect(page.get_by_role("button", name="Copy APA")).to_be_visible()
    violations = blocking_violations(Axe().run(page))
    page.emulate_media(color_scheme="dark")
    violations += blocking_violations(Axe().run(page, options={"runOnly": ["color-contrast"]}))
    assert violations == [], "\n".join(violations)


# A slug as long as an essay title in the essay's script; an English translation may keep its source's slug.
LONG_SLUG = "博士課程に進むかどうか一年迷った研究室での日々と生活への不安について"


@pytest.mark.parametrize("language", ["ja", "zh-hans", "en"])
def test_a_long_address_is_shown_decoded_and_wraps_inside_the_box_on_a_phone(page, language):
    post = make_post(title="Essay", slug=LONG_SLUG, language=language)
    assert "%E5%8D%9A" in post.get_absolute_url()  # what the reader would have read before
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(post.get_absolute_url())

    reference = page.locator("#cite-apa")
    expect(reference).to_contain_text(f"/{language}/posts/{LONG_SLUG}/")
    assert "%" not in reference.inner_text()
    scroll_width, client_width = reference.evaluate("(element) => [element.scrollWidth, element.clientWidth]")
    assert scroll_width <= client_width  # the address breaks inside the box instead of running out of it
    # An address whose Latin run has no break opportunity (a DOI, a long romanised slug) breaks too.
    assert reference.evaluate("(element) => getComputedStyle(element).overflowWrap") == "anywhere"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
