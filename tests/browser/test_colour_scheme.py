"""The header's colour scheme choice in a real browser: it switches the page, is remembered across pages and
reloads without a frame in the other scheme, keeps axe's contrast in the scheme chosen against the system's,
and reaches the writing room's preview. Without JavaScript the page follows the system and offers no choice."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from blog.models import Post
from tests.browser.admin_pages import change_path, log_in
from tests.browser.checks import CODE_BODY, blocking_violations
from tests.factories import make_post

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("settled")]

LIGHT_BACKGROUND, DARK_BACKGROUND = "rgb(253, 252, 248)", "rgb(24, 26, 27)"
# Before any of the page's own scripts: each animation frame (the first comes before the first paint) records
# the scheme attribute and the page's background, once there is a body to paint. The promise settles after five
# frames; awaiting it through page.evaluate needs no eval, which the page's Content Security Policy forbids
# (wait_for_function's polling uses it).
RECORD_FRAMES = """
window.framesSeen = [];
window.fiveFramesSeen = new Promise(function (resolve) {
  (function record() {
    requestAnimationFrame(function () {
      var body = document.body;
      window.framesSeen.push([document.documentElement.dataset.theme,
                              body ? getComputedStyle(body).backgroundColor : null]);
      if (window.framesSeen.length < 5) { record(); } else { resolve(window.framesSeen); }
    });
  })();
});
"""


@pytest.fixture
def essay(db):
    return make_post(title="Code in an essay", language="en", summary="Highlighted code.", body=CODE_BODY)


def background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_choice_switches_the_scheme_by_keyboard_and_is_remembered_without_a_flash(page, essay):
    page.emulate_media(color_scheme="light")
    page.goto(essay.get_absolute_url())
    choice = page.get_by_label("Colour scheme")
    expect(choice).to_be_visible()
    expect(choice).to_have_value("auto")
    assert background(page) == LIGHT_BACKGROUND

    choice.focus()
    page.keyboard.press("End")  # the last option, Dark, as arrow keys would reach it
    expect(choice).to_have_value("dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == DARK_BACKGROUND

    page.add_init_script(RECORD_FRAMES)
    for address in (essay.get_absolute_url(), "/en/"):
        page.goto(address)
        expect(page.get_by_label("Colour scheme")).to_have_value("dark")
        frames = [frame for frame in page.evaluate("window.fiveFramesSeen") if frame[1] is not None]
        assert frames and all(frame == ["dark", DARK_BACKGROUND] for frame in frames), frames

    page.get_by_label("Colour scheme").select_option("auto")
    page.reload()
    expect(page.get_by_label("Colour scheme")).to_have_value("auto")
    assert background(page) == LIGHT_BACKGROUND
    page.emulate_media(color_scheme="dark")
    assert background(page) == DARK_BACKGROUND  # automatic follows the system as it changes


@pytest.mark.parametrize(("system", "chosen"), [("light", "dark"), ("dark", "light")])
def test_a_scheme_chosen_against_the_systems_keeps_its_contrast(page, essay, system, chosen):
    page.emulate_media(color_scheme=system)
    page.goto(essay.get_absolute_url())
    page.get_by_label("Colour scheme").select_option(chosen)
    assert background(page) == (DARK_BACKGROUND if chosen == "dark" else LIGHT_BACKGROUND)
    expect(page.locator(".highlight .c1").first).to_be_visible()

    violations = blocking_violations(Axe().run(page))

    assert violations == [], "\n".join(violations)


def test_without_javascript_the_page_follows_the_system_and_shows_no_choice(browser, live_server, essay):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(essay.get_absolute_url())
        expect(page.get_by_role("heading", name="Code in an essay")).to_be_visible()
        expect(page.locator("#theme-choice")).to_be_hidden()
        assert page.locator("html").get_attribute("data-theme") is None
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == DARK_BACKGROUND
    finally:
        context.close()


def test_the_writing_rooms_preview_follows_the_chosen_scheme(page, essay):
    page.emulate_media(color_scheme="light")
    page.goto(essay.get_absolute_url())
    page.get_by_label("Colour scheme").select_option("dark")
    draft = make_post(title="Dark draft", status=Post.Status.DRAFT, body="Words in the preview.")
    log_in(page, "chief")
    page.goto(change_path(draft))
    preview = page.frame_locator("iframe.writing-room-page")
    expect(preview.locator(".post-body")).to_contain_text("Words in the preview.")
    expect(preview.locator("html")).to_have_attribute("data-theme", "dark")
    colour = preview.locator("body").evaluate("body => getComputedStyle(body).backgroundColor")
    assert colour == DARK_BACKGROUND
