"""The admin in the browser: an editor logged in, a post's change page, and waiting for what autosave writes to
the server; the published page as readers get it."""

import time

from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client
from playwright.sync_api import expect

AUTOSAVED_WITHIN = 12  # seconds: autosave fires a couple of seconds after the last keystroke; the "about 10"


def log_in(page, username):
    User.objects.create_superuser(username, f"{username}@example.com", f"pw-{username}")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def change_path(post):
    return f"/admin/blog/post/{post.pk}/change/"


def eventually(page, read, expected, seconds=AUTOSAVED_WITHIN):
    """What `read()` returns once it equals `expected`, or its last answer after `seconds` (the server's state).

    It waits through Playwright, never time.sleep(): the page guard's request routing runs in this thread.
    """
    deadline = time.monotonic() + seconds
    while (answer := read_between_writes(read)) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    return answer


def read_between_writes(read):
    """`read()`, or None while the live server's autosave is mid-write.

    The tests' in-memory SQLite database is shared with the server's thread through a shared cache, where a read
    meeting a write transaction is refused at once ("database table is locked") instead of waiting for it.
    """
    try:
        return read()
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        return None


def public_html(post):
    return Client().get(post.get_absolute_url()).content.decode()
