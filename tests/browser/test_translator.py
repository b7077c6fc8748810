"""A translator in a real browser: what changed in the source, the side-by-side editor, "mark as up to date";
each page passes axe, under the site's Content-Security-Policy (see conftest.py's page guard)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.test_accessibility import blocking_violations, switch_color_scheme
from tests.factories import make_essay_in_three_languages, revise_second_paragraph

pytestmark = pytest.mark.browser


def accessibility_violations(page):
    violations = blocking_violations(Axe().run(page))
    switch_color_scheme(page, "dark")
    violations += blocking_violations(Axe().run(page, options={"runOnly": ["color-contrast"]}))
    switch_color_scheme(page, "light")
    return violations


def test_translator_sees_what_changed_translates_side_by_side_and_marks_up_to_date(page):
    User.objects.create_superuser("translator", "translator@example.com", "pw-translator")
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)

    page.goto("/admin/")
    page.get_by_label("Username").fill("translator")
    page.get_by_label("Password").fill("pw-translator")
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/blog/post/translation-status/")
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="outdated (English)").click()
    expect(page.get_by_role("heading", name="What changed in the source since this translation's base")).to_be_visible()
    changed = page.locator(".diff-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("ins").first).to_have_text("こそ")
    assert accessibility_violations(page) == []

    page.get_by_role("link", name="Translate side by side").click()
    expect(page.locator(".source-part").first).to_contain_text("## 研究室を出た日")
    part = page.get_by_label("Translation, part 1")
    part.fill(part.input_value().replace("made me who I am", "are what hold me up today"))
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("The translation was saved.")

    page.get_by_role("link", name="What changed in the source").click()
    page.get_by_role("button", name="Mark as up to date").click()
    expect(page.locator(".messagelist")).to_contain_text("marked as up to date")

    page.goto(english.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("The day I left the lab")
    expect(page.locator(".translation-outdated")).to_have_count(0)
    expect(page.locator(".post-body")).to_contain_text("are what hold me up today")


def test_a_reader_of_an_outdated_translation_sees_the_notice_and_reaches_the_original(page):
    original, english, _chinese = make_essay_in_three_languages()
    revise_second_paragraph(original)
    page.goto(english.get_absolute_url())
    notice = page.locator(".translation-outdated")
    expect(notice).to_contain_text("The original, in Japanese, was updated on")
    assert accessibility_violations(page) == []
    notice.get_by_role("link", name="研究室を出た日").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("研究室を出た日")
