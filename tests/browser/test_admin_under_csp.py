"""The editor's admin in a real browser under the site's Content-Security-Policy (see conftest.py's page guard:
a script or style the policy blocks logs a console error, which fails the test)."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from blog.models import Post
from tests.factories import make_post

pytestmark = pytest.mark.browser


def test_editor_logs_in_previews_markdown_live_and_opens_the_shared_preview_link(page, live_server):
    User.objects.create_superuser("chief", "chief@example.com", "pw-chief-editor")
    draft = make_post(title="Field notes", slug="field-notes", status=Post.Status.DRAFT, body="First line.")

    page.goto("/admin/")
    page.get_by_label("Username").fill("chief")
    page.get_by_label("Password").fill("pw-chief-editor")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/blog/post/{draft.pk}/change/")

    # markdownx sends the text to the site's renderer; the answer shows beside the editor, drawn as the page.
    page.locator("#id_body").fill("## Live heading\n\nhttps://www.youtube.com/watch?v=MgE-e65W5oI")
    preview = page.frame_locator("iframe.writing-room-page")
    expect(preview.get_by_role("heading", name="Live heading")).to_be_visible()
    expect(preview.locator("a.embed-video")).to_have_count(1)

    shared = page.get_by_label("Preview link").input_value()
    assert shared.startswith(live_server.url + "/en/preview/")
    page.goto(shared)
    expect(page.get_by_role("heading", level=1)).to_have_text("Field notes")
    expect(page.get_by_role("status")).to_contain_text("Preview")
