"""A reader's journeys through the public site in a real browser (see conftest.py for the page guard)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import make_post, url_in

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
# The essay's top-level blocks (paragraphs, figures, players, code) that reach past either edge of the window.
BLOCKS_OFF_SCREEN = """() => [...document.querySelectorAll(".post-body > *")]
  .filter(block => { const box = block.getBoundingClientRect(); return box.left < 0 || box.right > innerWidth; })
  .map(block => block.outerHTML.slice(0, 120))"""


def path_of(page):
    return urlsplit(page.url).path


def test_reader_switches_to_the_english_translation_and_is_told_there_is_no_chinese_one(page, watch, library):
    page.goto("/ja/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("最新のエッセイ")

    page.get_by_role("link", name=library.phd_ja.title).click()
    assert path_of(page) == library.phd_ja.get_absolute_url()

    page.get_by_role("navigation", name="言語").get_by_role("link", name="English").click()
    assert path_of(page) == url_in("en", "blog:post-detail", slug="looking-back-on-my-phd")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Looking back on my PhD")

    switcher = page.get_by_role("navigation", name="Language")
    chinese = switcher.locator(".language-missing")
    expect(chinese).to_have_text(
        "简体中文 (Not available in Simplified Chinese)"
    )  # its second part is for screen readers
    expect(chinese).to_have_attribute("title", "Not available in Simplified Chinese")
    expect(switcher.locator('a[hreflang="zh-hans"]')).to_have_count(0)

    # Asked for in Chinese anyway, the essay answers with a 404 in Chinese that links the versions there are.
    response = page.goto(url_in("zh-hans", "blog:post-detail", slug="looking-back-on-my-phd"))
    assert response.status == 404
    # Chromium logs a 4xx document as a failed resource load; here that 404 is the page under test.
    watch.console_errors.remove(next(error for error in watch.console_errors if "status of 404" in error))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("link", name=re.compile("博士課程を振り返って")).click()
    assert path_of(page) == library.phd_ja.get_absolute_url()


# Where each switcher item's text sits: its box, and its baseline (the bottom of an empty inline-block put after it,
# which CSS places on the baseline), whatever font its language gets.
SWITCHER_ITEMS = """() => [...document.querySelectorAll('.language-switcher li')].map((item) => {
    const text = item.querySelector('a, .language-missing > span');
    const probe = document.createElement('span');
    probe.style.cssText = 'display: inline-block; width: 0; height: 0';
    text.append(probe);
    const baseline = probe.getBoundingClientRect().bottom;
    probe.remove();
    const box = text.getBoundingClientRect();
    return {baseline: baseline, left: box.left, width: box.width};
})"""


# The layout shifts the page had so far (the Layout Instability API; what Lighthouse sums as CLS).
LAYOUT_SHIFTS = """() => new Promise((resolve) => new PerformanceObserver((list) => resolve(
    list.getEntries().map((entry) => entry.sources.map((source) => source.node?.outerHTML?.slice(0, 80)))
)).observe({type: 'layout-shift', buffered: true}) || setTimeout(() => resolve([]), 500))"""


@pytest.mark.parametrize("width", [1280, 800])
def test_the_switcher_keeps_one_row_on_the_headers_line_with_its_items_aligned(page, library, width):
    page.set_viewport_size({"width": width, "height": 800})
    for post in (library.phd_ja, library.phd_en):
        # A second visit, its fonts cached: a shift while a font first loads is the font's, not the layout's.
        for _visit in range(2):
            page.goto(post.get_absolute_url())
            page.wait_for_load_state("networkidle")
        parts = (".site-name", ".site-search", ".language-switcher", ".theme-choice")
        header = [page.locator(part).bounding_box() for part in parts]
        # One row: the site's name, the search form, the switcher and the colour scheme share a horizontal band.
        assert max(part["y"] for part in header) < min(part["y"] + part["height"] for part in header), header
        items = page.evaluate(SWITCHER_ITEMS)
        assert max(item["baseline"] for item in items) - min(item["baseline"] for item in items) < 0.5, items
        assert page.evaluate(LAYOUT_SHIFTS) == []


def alignment(locator):
    return locator.evaluate("(element) => getComputedStyle(element).textAlign")


def test_only_paragraphs_in_japanese_or_chinese_are_justified(page, library):
    make_post(title="Notes from the bench", language="en", summary="An English essay listed on the Japanese home.")
    page.goto(library.phd_ja.get_absolute_url())
    assert alignment(page.locator(".post-body p").first) == "justify"
    assert alignment(page.locator("#cite-apa")) == "start"  # URLs and DOIs are never spread letter by letter
    # Nor a form's label, which on a phone stands on a line of its own: 「メ ー ル ア ド レ ス」.
    assert alignment(page.locator(".subscribe-short p").first) == "start"

    page.goto(url_in("ja", "blog:post-list"))
    assert alignment(page.locator('.post-card-excerpt[lang="en"]')) == "start"
    assert alignment(page.locator(".post-card-excerpt:not([lang])").first) == "justify"

    page.goto(url_in("zh-hans", "blog:post-list"))
    assert alignment(page.locator('.post-card-excerpt[lang="ja"]').first) == "justify"
    assert alignment(page.locator('.post-card-excerpt[lang="en"]')) == "start"


def test_video_player_loads_only_after_the_reader_clicks_its_facade(page, watch, library):
    page.goto(library.media_ja.get_absolute_url())
    body = page.locator(".post-body")
    expect(body).to_contain_text("講演の録画です。")
    expect(body.locator("iframe")).to_have_count(0)
    # The pasted tweet stays readable as text; Twitter's widgets.js never runs.
    expect(body.locator("blockquote")).to_contain_text("とても良い講演でした。")
    page.wait_for_load_state("networkidle")
    assert watch.third_party_before_click == []

    # The facade is a link to the video on YouTube (readers without JavaScript follow it); embeds.js plays it here.
    watch.click(body.get_by_role("link", name=re.compile("YouTube")))

    player = body.locator("iframe")
    expect(player).to_have_count(1)
    player_url = re.compile(rf"^https://www\.youtube-nocookie\.com/embed/{library.video_id}\b")
    expect(player).to_have_attribute("src", player_url)
    expect(player).to_have_attribute("title", re.compile(r"\S"))  # screen readers name the frame by its title
    assert path_of(page) == library.media_ja.get_absolute_url(), "the click left the essay"
    page.wait_for_load_state("networkidle")
    assert {urlsplit(url).netloc for url in watch.third_party_after_click} <= {"www.youtube-nocookie.com"}


def test_reader_searches_for_a_word_and_opens_the_essay(page, library):
    page.goto("/ja/")
    search_box = page.get_by_role("searchbox", name="エッセイを検索")
    search_box.fill("博士")
    search_box.press("Enter")

    assert path_of(page) == url_in("ja", "blog:search")
    results = page.locator(".search-results")
    expect(results.locator("mark").first).to_have_text("博士")
    results.get_by_role("link", name=library.phd_ja.title).click()

    assert path_of(page) == library.phd_ja.get_absolute_url()
    expect(page.get_by_role("heading", level=1)).to_have_text(library.phd_ja.title)


@pytest.mark.parametrize("essay", ["phd_ja", "media_ja"])
@pytest.mark.parametrize("device", VIEWPORTS)
def test_post_page_reads_well_at_phone_and_desktop_widths(page, library, artifacts, essay, device):
    viewport = VIEWPORTS[device]
    page.set_viewport_size(viewport)
    page.goto(getattr(library, essay).get_absolute_url())
    page.screenshot(path=artifacts / f"{essay}-{device}.png", full_page=True)

    first_paragraph = page.locator(".post-body p").first
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(first_paragraph).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], "the page scrolls sideways"
    assert page.evaluate(BLOCKS_OFF_SCREEN) == [], "part of the essay is cut off at the screen's edge"
    # Lines stay short enough to read: at most ~45 CJK characters per line on a wide screen.
    box = first_paragraph.bounding_box()
    font_size = float(first_paragraph.evaluate("element => getComputedStyle(element).fontSize").removesuffix("px"))
    assert box["width"] / font_size <= 45


def test_display_formula_is_centred_with_room_around_it(page, library):
    """The site drew `$$…$$` flush left with no margin while the preview centred it."""
    library.phd_en.body = "Before the formula.\n\n$$\n\\sum_i x_i = 1\n$$\n\nAfter the formula."
    library.phd_en.save()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(library.phd_en.get_absolute_url())
    formula = page.locator('.post-body math[display="block"]')
    body_box = page.locator(".post-body").bounding_box()
    formula_box = formula.locator("> *").first.bounding_box()
    body_centre, formula_centre = body_box["x"] + body_box["width"] / 2, formula_box["x"] + formula_box["width"] / 2
    assert abs(body_centre - formula_centre) < 4
    assert float(formula.evaluate("math => getComputedStyle(math).marginTop").removesuffix("px")) > 0


CONTRAST_WITH_PAGE = """facade => {
  const luminance = colour => {
    const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(value => {
      const c = value / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [facade, document.body].map(element => luminance(getComputedStyle(element).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_video_facade_stands_out_from_the_dark_page(page, library):
    """In dark mode the facade was #1f1f1f on #181a1b, 1.06:1: a reader could not see where the video was."""
    page.emulate_media(color_scheme="dark")
    page.goto(library.media_ja.get_absolute_url())
    facade = page.locator("a.embed-video")
    assert facade.evaluate(CONTRAST_WITH_PAGE) >= 3
    assert facade.locator(".embed-title").evaluate("title => getComputedStyle(title).color") == "rgb(255, 255, 255)"
