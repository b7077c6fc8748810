"""Review in a real browser: an author submits, an editor approves; a pending draft published as a minor change."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from blog.models import PendingDraft, Post
from tests.browser.admin_pages import change_path, eventually, log_in, public_html
from tests.factories import make_author, make_post, make_translation, role

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("settled")]


def log_in_as_author(page, username):
    user = User.objects.create_user(username, f"{username}@example.com", f"pw-{username}", is_staff=True)
    user.groups.add(role("Author"))
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    return make_author("Rin Author", user=user)


def test_an_author_submits_for_review_and_an_editor_approves(page, browser, live_server):
    author = log_in_as_author(page, "rin")
    draft = make_post(title="Field notes", body="Ready for an editor.", authors=[author], status=Post.Status.DRAFT)
    page.goto(change_path(draft))
    expect(page.get_by_label("Status")).not_to_contain_text("Published")

    page.get_by_label("Status").select_option(label="In review")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Post.objects.get().status == Post.Status.IN_REVIEW
    assert "Ready for an editor." not in public_html(draft)

    editor_context = browser.new_context(base_url=live_server.url)
    editor_context.set_default_timeout(5_000)
    editor = editor_context.new_page()
    log_in(editor, "chief")
    editor.get_by_role("link", name="1 post is waiting for review").click()
    editor.get_by_role("link", name="Field notes").click()
    editor.get_by_label("Status").select_option(label="Published")
    editor.get_by_role("button", name="Save", exact=True).click()

    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(Post.objects.published()) == [draft]
    assert "Ready for an editor." in public_html(draft)
    editor_context.close()


def test_a_pending_draft_published_as_a_minor_change_leaves_translations_up_to_date(page):
    original = make_post(title="Leaving the lab", body="A typo hre.")
    translation = make_translation(original, language="ja", title="研究室を出る", body="誤字。")
    log_in(page, "chief")
    chief = User.objects.get(username="chief")
    PendingDraft.objects.create(
        post=original,
        title=original.title,
        body="A typo here.",
        based_on=original.updated_at.isoformat(),
        saved_by=chief,
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.goto(change_path(original) + "?resume_draft=1")

    page.locator("#id_minor_change").check()

    assert eventually(page, lambda: PendingDraft.objects.get().minor_change, True) is True
    # The page has read the autosave's answer too: reloading while it is on its way rightly asks "Leave site?".
    expect(page.locator("#writing-room-status")).to_contain_text("Saved as a pending draft")
    page.reload()
    expect(page.locator("#id_minor_change")).to_be_checked()
    expect(page.locator("#pending-minor-change")).to_be_checked()
    page.locator("#id_minor_change").uncheck()
    page.locator("#id_minor_change").check()
    page.get_by_role("button", name="Publish the pending draft").click()

    expect(page.locator(".messagelist")).to_contain_text("The pending draft is published.")
    assert dialogs == []
    original.refresh_from_db()
    translation.refresh_from_db()
    assert original.body == "A typo here."
    assert translation.drift_against(original.content_fingerprint) == "up-to-date"
    assert "This translation is out of date" not in public_html(translation)
