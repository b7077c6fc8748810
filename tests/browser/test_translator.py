"""A translator in a real browser: what changed in the source, the side-by-side editor, "mark as up to date";
each page passes axe, under the site's Content-Security-Policy (see conftest.py's page guard)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from blog.models import Post
from tests.browser.checks import accessibility_violations
from tests.factories import make_essay_in_three_languages, make_post, revise_second_paragraph

pytestmark = pytest.mark.browser


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
    page.get_by_role("button", name="Save", exact=True).click()
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


def test_translator_creates_a_translation_then_saves_it_side_by_side_and_marks_it_up_to_date_in_one_step(page):
    User.objects.create_superuser("translator", "translator@example.com", "pw-translator")
    original = make_post(title="朝の研究室", language="ja", summary="静かな朝。", body="## 朝\n\n誰もいない研究室。")

    page.goto("/admin/")
    page.get_by_label("Username").fill("translator")
    page.get_by_label("Password").fill("pw-translator")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/blog/post/{original.pk}/change/")
    page.get_by_role("link", name="Create a translation").click()
    page.get_by_label("Language of the translation").select_option("en")
    page.get_by_role("button", name="Create draft translation").click()
    expect(page.locator(".messagelist")).to_contain_text("Created a draft translation in English")
    english = Post.objects.get(language="en")
    # The author revises the source while the translation is still a copy of it.
    revise = Post.objects.get(pk=original.pk)
    revise.body += "\n\n窓の外で雪が降り始めた。"
    revise.save()

    page.get_by_role("link", name="Translate side by side").click()
    page.get_by_label("Title").fill("A morning in the lab")
    page.get_by_label("Summary").fill("A quiet morning.")
    # One heading only: the essay is cut at its paragraphs, the new one beside an empty box.
    expect(page.locator(".source-part")).to_have_text(["## 朝", "誰もいない研究室。", "窓の外で雪が降り始めた。"])
    page.get_by_label("Translation, part 1").fill("## Morning")
    page.get_by_label("Translation, part 2").fill("Nobody in the lab.")
    page.get_by_label("Translation, part 3").fill("Outside, it began to **snow**.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".translation-preview strong")).to_have_text("snow")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save and mark up to date").click()

    expect(page.locator(".messagelist")).to_contain_text("The translation was saved and marked as up to date.")
    expect(page.get_by_label("Title")).to_have_value("A morning in the lab")
    assert accessibility_violations(page) == []
    english.refresh_from_db()
    assert english.source_fingerprint == Post.objects.get(pk=original.pk).content_fingerprint
    assert english.body == "## Morning\n\nNobody in the lab.\n\nOutside, it began to **snow**."
