"""The Cite box in a real browser, under the site's Content-Security-Policy: copy buttons that work, and a box
that still reads (and downloads) without JavaScript."""

import pytest
from playwright.sync_api import expect

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
