"""Japanese and Chinese typesetting in a real browser: headings and titles wrap between phrases, never inside one."""

import pytest

from blog.rendering.phrases import parser
from tests.factories import make_post, url_in

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 320, "tablet": 768, "desktop": 1280}
TITLES = {
    "ja": "博士課程に進むかどうか一年迷った研究室での日々と生活への不安について考えたこと",
    "zh-hans": "我在研究室读博士的三年里学会了把大问题切成小问题并且每周写实验笔记",
}
HEADINGS = {
    "ja": "毎週の実験ノートがいちばんの先生だったと気づいたのは博士課程の最後の冬でした",
    "zh-hans": "每周的实验笔记是最好的老师这一点我在博士最后一个冬天才明白",
}
# The text of each line box of an element: characters grouped by the top of their glyph's rectangle.
LINES = """(element) => {
  const lines = [];
  let last = null;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getBoundingClientRect();
      if (!rect.width) { continue; }
      if (last === null || rect.top > last + rect.height / 2) { lines.push(""); last = rect.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines;
}"""


def phrase_ends(text, language):
    ends, position = {0}, 0
    for phrase in parser(language).parse(text):
        position += len(phrase)
        ends.add(position)
    return ends


@pytest.mark.parametrize("language", ["ja", "zh-hans"])
@pytest.mark.parametrize("device", WIDTHS)
def test_headings_and_titles_wrap_only_between_phrases(page, artifacts, language, device):
    post = make_post(title=TITLES[language], language=language, body=f"## {HEADINGS[language]}\n\n本文。")
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})

    for path, selector in ((post.get_absolute_url(), ".post-header h1, .post-body h2"),
                           (url_in(language, "blog:post-list"), ".post-card-title")):  # fmt: skip
        page.goto(path)
        page.screenshot(path=artifacts / f"phrases-{language}-{device}-{path.count('/')}.png", full_page=True)
        elements = page.locator(selector)
        assert elements.count() >= 1
        for element in elements.all():
            lines = element.evaluate(LINES)
            text = "".join(lines)
            assert text in (TITLES[language], HEADINGS[language])
            ends = phrase_ends(text, language)
            breaks = [sum(map(len, lines[: index + 1])) for index in range(len(lines))]
            assert all(end in ends for end in breaks), (device, lines)
            if device == "phone":
                assert len(lines) > 2, lines  # narrow enough that the test sees real wrapping


VERTICAL_BODY = """\
## 研究室での日々

{博士|はくし}の三年間で学んだのは、問いを小さく切ることでした。

```python
print("code stays horizontal")
```

$$x^2 + y^2 = z^2$$
"""


def writing_modes(page):
    return page.evaluate(
        """() => ["p", "pre", "math", "rt"].map(
          (name) => getComputedStyle(document.querySelector(".post-body " + name)).writingMode)"""
    )


def test_vertical_writing_is_a_remembered_reading_option_of_japanese_essays(page, artifacts):
    essay = make_post(title="研究室の一年", language="ja", body=VERTICAL_BODY)
    english = make_post(title="A year in the lab", language="en", body=VERTICAL_BODY)
    option = page.get_by_role("button", name="縦書きで読む")

    page.goto(essay.get_absolute_url())
    assert option.get_attribute("aria-pressed") == "false"  # off by default
    assert writing_modes(page) == ["horizontal-tb"] * 4
    option.click()
    # Text and ruby run vertically; code and formulas stay horizontal blocks inside the columns.
    assert writing_modes(page) == ["vertical-rl", "horizontal-tb", "horizontal-tb", "vertical-rl"]
    page.screenshot(path=artifacts / "vertical-writing.png", full_page=True)

    page.reload()  # remembered
    assert option.get_attribute("aria-pressed") == "true"
    assert writing_modes(page)[0] == "vertical-rl"
    option.click()
    page.reload()
    assert option.get_attribute("aria-pressed") == "false" and writing_modes(page)[0] == "horizontal-tb"

    page.goto(english.get_absolute_url())
    assert page.locator("[data-vertical-writing]").count() == 0


def test_without_javascript_the_essay_reads_horizontally_with_no_dead_button(browser, live_server, transactional_db):
    essay = make_post(title="研究室の一年", language="ja", body=VERTICAL_BODY)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(essay.get_absolute_url())
        assert not page.locator("[data-vertical-writing]").is_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('.post-body p')).writingMode") == "horizontal-tb"
    finally:
        context.close()
