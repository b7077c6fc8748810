"""Public pages pass an axe accessibility scan in the browser and the W3C (Nu) HTML checker."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.checks import CODE_BODY, blocking_violations, checker_errors, switch_color_scheme
from tests.factories import make_post, url_in

PAGES = {
    "home": lambda library: url_in("ja", "blog:post-list"),
    "post": lambda library: library.media_ja.get_absolute_url(),
    "translation": lambda library: library.phd_en.get_absolute_url(),
    "tag": lambda library: url_in("ja", "blog:tag-detail", slug=library.tag.slug),
    "author": lambda library: url_in("zh-hans", "blog:author-detail", slug=library.author.slug),
    "search": lambda library: url_in("ja", "blog:search") + "?q=博士",
    "archive": lambda library: url_in("en", "blog:archive-year", year=library.phd_en.publish_at.year),
    "not-found": lambda library: url_in("ja", "blog:post-detail", slug="no-such-essay"),
    # The essay in Japanese and English, asked for in Chinese: a 404 linking both versions.
    "missing-language": lambda library: url_in("zh-hans", "blog:post-detail", slug=library.phd_en.slug),
}
NOT_FOUND_PAGES = {"not-found", "missing-language"}


@pytest.mark.browser
@pytest.mark.parametrize(
    "name", ["home", "post", "translation", "tag", "author", "search", "not-found", "missing-language"]
)
def test_page_has_no_serious_accessibility_violations(page, watch, library, name):
    response = page.goto(PAGES[name](library))
    expect(page.get_by_role("main")).to_be_visible()
    if name in NOT_FOUND_PAGES:
        assert response.status == 404
        # Chromium logs a 4xx document as a failed resource load; here that 404 is the page under test.
        expected = [error for error in watch.console_errors if "status of 404" in error]
        assert len(expected) == 1, watch.console_errors
        watch.console_errors.remove(expected[0])

    violations = blocking_violations(Axe().run(page))
    # The site follows the reader's dark-mode setting: its colours must keep their contrast there too.
    switch_color_scheme(page, "dark")
    violations += blocking_violations(Axe().run(page, options={"runOnly": ["color-contrast"]}))

    assert violations == [], "\n".join(violations)


@pytest.fixture
def code_post(db):
    return make_post(title="Code in an essay", language="en", summary="Highlighted code.", body=CODE_BODY)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_code_has_no_serious_accessibility_violations(page, code_post, scheme):
    """Every token colour of the code theme keeps its contrast in the reader's colour scheme (see code.css)."""
    page.emulate_media(color_scheme=scheme)
    page.goto(code_post.get_absolute_url())
    expect(page.locator(".highlight")).to_have_count(4)
    # The samples produce the token classes axe once failed (.c1, .ow), and shell prompts, output and JSON.
    for token in [".c1", ".ow", ".nd", ".se", ".si", ".gp", ".go", ".kc", ".s2"]:
        expect(page.locator(f".highlight {token}").first).to_be_visible()
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")

    violations = blocking_violations(Axe().run(page))

    assert violations == [], "\n".join(violations)


def test_pages_pass_the_w3c_html_checker(client, library, tmp_path):
    """One checker run over every page type: Java starts once, and each file reports under its own name."""
    for name, url in PAGES.items():
        response = client.get(url(library))
        assert response.status_code == (404 if name in NOT_FOUND_PAGES else 200), name
        (tmp_path / f"{name}.html").write_bytes(response.content)

    errors = checker_errors(sorted(tmp_path.glob("*.html")))

    assert errors == [], "\n".join(errors)


def test_a_post_page_with_its_social_card_passes_the_w3c_html_checker(
    client, db, django_capture_on_commit_callbacks, tmp_path
):
    """The card's og:image, og:image:alt and twitter:image tags, as a published essay carries them."""
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(title="博士課程を振り返って", language="ja", summary="三年間で学んだこと。")
    post.refresh_from_db()
    response = client.get(post.get_absolute_url())
    assert post.social_card.url in response.content.decode()
    (tmp_path / "post-with-card.html").write_bytes(response.content)

    errors = checker_errors([tmp_path / "post-with-card.html"])

    assert errors == [], "\n".join(errors)
