"""The writing room in a real browser: autosave, pending drafts, conflicts, the unload warning, images, keys, axe.

Autosave fires a couple of seconds after the last keystroke; expectations below wait up to AUTOSAVED_WITHIN
for what the server then holds, the issue's "about 10 seconds".
"""

import base64
import re
from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from blog.content.languages import LANGUAGE_INFO
from blog.models import PendingDraft, Post
from tests.browser.admin_pages import AUTOSAVED_WITHIN, change_path, eventually, log_in, public_html
from tests.browser.checks import blocking_violations
from tests.factories import image_bytes, make_author, make_post, make_tag

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("settled")]

# A file pasted (from the clipboard) or dropped (from the desktop) onto the body editor.
GIVE_FILE = """([how, name, type, base64]) => {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, { type }));
  const event = how === "paste"
    ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
  document.querySelector("#id_body").dispatchEvent(event);
}"""


def expect_refused(watch, path, status):
    """Chromium logs a 4xx answer to a script's request as an error; here it is the refusal under test."""
    refused = [error for error in watch.console_errors if f"status of {status}" in error and path in error]
    assert refused, watch.console_errors
    for error in refused:
        watch.console_errors.remove(error)


def pending_body(post):
    return PendingDraft.objects.filter(post=post).values_list("body", flat=True).first()


def test_typing_a_title_and_body_on_the_add_page_saves_a_draft_without_pressing_save(page):
    log_in(page, "chief")
    page.goto("/admin/blog/post/add/")
    page.locator("#id_language").select_option("ja")
    page.locator("#id_title").press_sequentially("研究室の一年")
    # The slug suggestion keeps Japanese letters.
    expect(page.locator("#id_slug")).to_have_value("研究室の一年")
    page.locator("#id_body").press_sequentially("実験ノートを毎週書きました。")

    # No Save pressed: the server holds a draft, and the page has become its change page.
    expect(page).to_have_url(re.compile(r"/admin/blog/post/\d+/change/$"), timeout=AUTOSAVED_WITHIN * 1000)
    post = Post.objects.get()
    assert (post.title, post.slug, post.language, post.status) == ("研究室の一年", "研究室の一年", "ja", "draft")
    assert post.body == "実験ノートを毎週書きました。"
    expect(page.locator("#id_body")).to_have_value("実験ノートを毎週書きました。")
    # Counts by characters in Japanese, with the reading time readers will see.
    expect(page.locator("#writing-room-counts")).to_have_text("14 characters · 1 minute read")


def test_fields_set_before_the_first_autosave_come_along_to_the_change_page(page):
    make_tag("career", slug="career")
    make_author("Aiko Tanaka", slug="aiko")
    log_in(page, "chief")
    page.goto("/admin/blog/post/add/")
    # A tag and a byline chosen before any text: the first autosave reopens the page as the draft's change page.
    for field, typed, choice in ((".field-tags", "care", "career"), (".field-author", "Aiko", "Aiko Tanaka")):
        page.locator(f"{field} .select2-selection").first.click()
        page.keyboard.type(typed)
        page.locator(".select2-results__option", has_text=choice).click()
    page.locator("#id_publish_at_0").fill("2030-01-02")
    page.locator("#id_publish_at_1").fill("09:00:00")
    page.locator("#id_title").press_sequentially("Leaving the lab")
    page.locator("#id_body").press_sequentially("Why I left.")

    expect(page).to_have_url(re.compile(r"/admin/blog/post/\d+/change/$"), timeout=AUTOSAVED_WITHIN * 1000)
    expect(page.locator(".field-tags .select2-selection__choice")).to_contain_text("career")
    expect(page.locator(".field-author .select2-selection").first).to_contain_text("Aiko Tanaka")
    expect(page.locator("#id_publish_at_0")).to_have_value("2030-01-02")
    expect(page.locator("#id_publish_at_1")).to_have_value("09:00:00")
    expect(page.locator("#id_body")).to_be_focused()
    # They are the writer's, not yet saved: Save keeps them.
    assert not Post.objects.get().tags.exists()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    post = Post.objects.get()
    assert [tag.name for tag in post.tags.all()] == ["career"]
    assert [author.name for author in post.authors.all()] == ["Aiko Tanaka"]
    assert (post.title, post.body) == ("Leaving the lab", "Why I left.")
    assert timezone.localtime(post.publish_at).replace(tzinfo=None) == datetime(2030, 1, 2, 9)


def test_counts_take_the_base_of_ruby_not_its_reading(page):
    post = make_post(title="振り仮名", language="ja", body="{漢字|かん|じ}を読む。", status=Post.Status.DRAFT)
    log_in(page, "chief")
    page.goto(change_path(post))

    expect(page.locator(".markdownx-preview ruby")).to_have_count(1)
    expect(page.locator("#writing-room-counts")).to_have_text("6 characters · 1 minute read")  # 漢字を読む。


def test_the_editor_and_the_page_give_a_japanese_essay_the_same_reading_time(page, monkeypatch):
    # A slower reader in the table of languages: the renderer and the writing room's script both take the change.
    monkeypatch.setitem(LANGUAGE_INFO["ja"], "characters_per_minute", 100)
    body = "人々は〆切の一ヶ月前から、𠮷野家で「Python 3」を学んだ。\n\n" * 11  # 24 CJK characters, 2 words each
    post = make_post(title="締切", language="ja", body=body)
    assert post.reading_minutes == 3  # 264 characters / 100 + 22 words / 230

    log_in(page, "chief")
    page.goto(change_path(post))
    counts = page.locator("#writing-room-counts")
    expect(counts).to_have_text(re.compile(r"· 3 minutes read$"))
    editor_minutes = re.search(r"(\d+) minutes read", counts.inner_text())[1]

    page.goto(post.get_absolute_url())
    page_minutes = re.search(r"(\d+) 分で読めます", page.locator(".post-dates").inner_text())[1]
    assert editor_minutes == page_minutes == "3"


def test_editing_a_published_post_keeps_a_pending_draft_until_it_is_published(page):
    post = make_post(title="Leaving the lab", body="What readers read today.")
    before = public_html(post)
    log_in(page, "chief")
    page.goto(change_path(post))

    page.locator("#id_body").press("End")
    page.locator("#id_body").press_sequentially(" And a new thought.")

    assert eventually(page, lambda: pending_body(post), "What readers read today. And a new thought.") == (
        "What readers read today. And a new thought."
    )
    expect(page.locator("#writing-room-status")).to_contain_text("pending draft")
    expect(page.locator("#writing-room-counts")).to_have_text("8 words · 1 minute read")
    assert public_html(post) == before
    post.refresh_from_db()
    assert post.body == "What readers read today."

    page.goto(change_path(post))
    expect(page.locator(".writing-room-diff .diff-changed ins")).to_contain_text("And a new thought.")
    page.get_by_role("button", name="Publish the pending draft").click()
    expect(page.locator(".messagelist")).to_contain_text("The pending draft is published.")
    assert "And a new thought." in public_html(post)
    assert not PendingDraft.objects.exists()


def test_two_editors_autosaving_one_draft_get_the_conflict_message_and_lose_nothing(page, browser, live_server):
    draft = make_post(title="Shared notes", status=Post.Status.DRAFT, body="Start.")
    log_in(page, "first")
    page.goto(change_path(draft))
    other_context = browser.new_context(base_url=live_server.url)
    other_context.set_default_timeout(5_000)
    other = other_context.new_page()
    log_in(other, "second")
    other.goto(change_path(draft))

    page.locator("#id_body").fill("Start. The first editor's paragraph.")
    assert eventually(page, lambda: Post.objects.get().body, "Start. The first editor's paragraph.") == (
        "Start. The first editor's paragraph."
    )
    other.locator("#id_body").fill("Start. The second editor's paragraph.")

    expect(other.get_by_role("alert")).to_contain_text("after you opened it", timeout=AUTOSAVED_WITHIN * 1000)
    expect(other.locator("#id_body")).to_have_value("Start. The second editor's paragraph.")
    assert Post.objects.get().body == "Start. The first editor's paragraph."
    other_context.close()


def test_leaving_with_unsaved_changes_triggers_the_unload_warning(page):
    log_in(page, "chief")
    page.goto("/admin/blog/post/add/")
    # Without a title nothing is autosaved, so the text stays unsaved.
    page.locator("#id_body").press_sequentially("A paragraph not saved anywhere yet.")

    with page.expect_event("dialog") as asked:
        page.close(run_before_unload=True)

    assert asked.value.type == "beforeunload"
    asked.value.dismiss()


def test_reopening_after_a_closed_tab_offers_the_text_this_browser_kept(page):
    log_in(page, "chief")
    page.goto("/admin/blog/post/add/")
    page.locator("#id_body").press_sequentially("Typed before the tab was closed.")
    # The browser keeps a copy half a second after typing.
    assert eventually(
        page,
        lambda: page.evaluate(
            "() => (localStorage.getItem('bunko-writing-room:new') || '').includes('Typed before the tab was closed.')"
        ),
        True,
    )

    page.goto("/admin/blog/post/add/")
    page.get_by_role("button", name="Restore that text").click()

    expect(page.locator("#id_body")).to_have_value("Typed before the tab was closed.")


@pytest.fixture
def media_served(page, media_root):
    """The live server serves no media (DEBUG is off): answer uploaded images from the test's media folder."""
    page.context.route(
        re.compile(r"/media/"), lambda route: route.fulfill(path=media_root / route.request.url.split("/media/", 1)[1])
    )


def paste(page, name, content, content_type="image/png", how="paste"):
    page.evaluate(GIVE_FILE, [how, name, content_type, base64.b64encode(content).decode()])


@pytest.mark.parametrize("how", ["paste", "drop"])
def test_a_pasted_or_dropped_png_is_uploaded_and_inserted_with_the_alt_text_given(page, media_served, how):
    draft = make_post(title="Figures", status=Post.Status.DRAFT, body="Results:\n\n")
    log_in(page, "chief")
    page.goto(change_path(draft))
    page.locator("#id_body").press("Control+End")

    paste(page, "results.png", image_bytes("PNG"), how=how)
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog.get_by_role("alert")).to_have_text("Describe the image, or mark it as decorative.")
    dialog.get_by_label("Alternative text").fill("Bar chart of [three] results")
    dialog.get_by_role("button", name="Upload and insert").click()

    body = page.locator("#id_body")
    expect(body).to_have_value(
        re.compile(
            r"^Results:\n\n!\[Bar chart of \\\[three\\\] results\]\(/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png\)\n\n$"
        )
    )
    expect(page.locator(".markdownx-preview img")).to_have_attribute("alt", "Bar chart of [three] results")


def test_a_hostile_file_name_is_refused_with_a_clear_message(page, watch, media_root):
    draft = make_post(title="Figures", status=Post.Status.DRAFT, body="Results.")
    log_in(page, "chief")
    page.goto(change_path(draft))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    paste(page, '"><img src=x onerror=alert(1)>.png', image_bytes("PNG"))
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_label("Decorative").check()
    dialog.get_by_role("button", name="Upload and insert").click()

    expect(page.locator("#writing-room-error")).to_contain_text("The image was not uploaded")
    expect(page.locator("#writing-room-error")).to_contain_text("Rename the file")
    expect(page.locator("#id_body")).to_have_value("Results.")
    assert dialogs == []  # no script from the name or the file ran
    assert not list(media_root.rglob("*.*"))
    expect_refused(watch, "/markdownx/upload/", 400)


# A file of `size` bytes, pasted: made in the page, as a writer's 30 MB photo would be.
GIVE_LARGE_FILE = """([name, type, size]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(size)], name, { type }));
  document.querySelector("#id_body").dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


@pytest.mark.parametrize(
    ("name", "content_type", "size", "message"),
    [
        ("logo.svg", "image/svg+xml", 200, "not a JPEG, PNG, GIF or WebP image"),
        ("holiday.jpg", "image/jpeg", 30 * 1024 * 1024, "This file is 30.0 MB; an image may be at most 5.0"),
    ],
    ids=["svg", "30MB"],
)
def test_a_wrong_type_or_a_too_large_file_is_refused_in_the_browser_beside_the_editor(
    page, media_root, name, content_type, size, message
):
    draft = make_post(title="Figures", status=Post.Status.DRAFT, body="Results.")
    log_in(page, "chief")
    uploads = []
    page.on("request", lambda request: uploads.append(request.url) if "/markdownx/upload/" in request.url else None)
    page.goto(change_path(draft))

    page.evaluate(GIVE_LARGE_FILE, [name, content_type, size])

    note = page.locator("#writing-room-error")
    expect(note).to_contain_text("The image was not uploaded")
    expect(note).to_contain_text(message)
    # Nothing asked, nothing sent; the message sits right under the editor.
    expect(page.get_by_role("dialog", name="Describe the image")).to_be_hidden()
    assert uploads == []
    editor, shown = page.locator("#id_body").bounding_box(), note.bounding_box()
    assert 0 <= shown["y"] - (editor["y"] + editor["height"]) < 40
    expect(page.locator("#id_body")).to_have_value("Results.")


def editing_draft(page, text):
    """A draft whose body is `text`, open in the writing room with the caret in its body."""
    draft = make_post(title="Keys", status=Post.Status.DRAFT, body=text)
    log_in(page, "chief")
    page.goto(change_path(draft))
    body = page.locator("#id_body")
    body.focus()
    return draft, body


@pytest.mark.parametrize(("key", "mark", "element"), [("b", "**", "strong"), ("i", "*", "em")])
def test_keyboard_bold_and_italic_wrap_the_selection(page, key, mark, element):
    _draft, body = editing_draft(page, "plain")
    page.keyboard.press("Control+a")
    page.keyboard.press(f"Control+{key}")
    expect(body).to_have_value(f"{mark}plain{mark}")
    expect(page.locator(f".markdownx-preview {element}")).to_have_text("plain")


def test_ctrl_s_saves_and_stays(page):
    draft, _body = editing_draft(page, "plain")
    page.keyboard.press("End")
    page.keyboard.type(" and simple")
    page.keyboard.press("Control+s")

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert page.url.endswith(change_path(draft))
    draft.refresh_from_db()
    assert draft.body == "plain and simple"


def test_keyboard_link_wraps_the_selection_and_selects_the_address(page):
    _draft, body = editing_draft(page, "arXiv")
    page.keyboard.press("Control+a")
    page.keyboard.press("Control+k")
    # The link's placeholder address is selected: typing replaces it.
    page.keyboard.type("https://arxiv.org/abs/2101.00001")
    expect(body).to_have_value("[arXiv](https://arxiv.org/abs/2101.00001)")
    expect(page.locator(".markdownx-preview a", has_text="arXiv")).to_have_attribute(
        "href", "https://arxiv.org/abs/2101.00001"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_writing_room_has_no_serious_accessibility_violations(page, scheme):
    post = make_post(title="Leaving the lab", body="Live text.")
    PendingDraft.objects.create(post=post, title=post.title, body="Drafted text.")
    log_in(page, "chief")
    page.emulate_media(color_scheme=scheme)
    page.goto(change_path(post))
    expect(page.locator(".markdownx-preview")).to_contain_text("Live text.")

    # preload off: axe would copy the admin's @import-ed style sheets into <style> elements, which the site's CSP
    # refuses (and logs); the one rule that needs them, css-orientation-lock, is about the site's own CSS.
    violations = blocking_violations(Axe().run(page, options={"preload": False}))
    assert violations == [], "\n".join(violations)


def test_the_error_notes_stay_hidden_until_there_is_an_error(page, media_served):
    """The admin's `.errornote` style showed an empty red box on every post form and in the image dialog."""
    draft = make_post(title="Figures", status=Post.Status.DRAFT, body="Results:\n\n")
    log_in(page, "chief")
    page.goto(change_path(draft))
    expect(page.locator("#writing-room-error")).to_be_hidden()
    paste(page, "results.png", image_bytes("PNG"))
    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#writing-room-alt-error")).to_be_hidden()
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog.get_by_role("alert")).to_be_visible()


LONG_BODY = "\n\n".join(f"## Part {number}\n\n" + "A paragraph of the essay. " * 30 for number in range(1, 21))


@pytest.mark.parametrize("width", [1280, 600])
def test_the_editor_sits_beside_its_preview_on_wide_screens_and_above_it_on_narrow_ones(page, width):
    draft = make_post(title="Long", status=Post.Status.DRAFT, body=LONG_BODY)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, "chief")
    page.goto(change_path(draft))
    preview = page.locator("iframe.writing-room-page")
    expect(page.frame_locator("iframe.writing-room-page").get_by_role("heading", name="Part 20")).to_have_count(1)
    editor_box, preview_box = page.locator("#id_body").bounding_box(), preview.bounding_box()

    if width > 1100:
        assert editor_box["y"] == preview_box["y"] and preview_box["x"] >= editor_box["x"] + editor_box["width"]
        assert editor_box["height"] >= 800 - 14 * 16 - 1  # as tall as the window leaves room for
        # The preview follows the editor's scroll position.
        page.locator("#id_body").evaluate("editor => { editor.scrollTop = editor.scrollHeight; }")
        assert eventually(
            page,
            lambda: page.evaluate(
                "() => { const p = document.querySelector('iframe.writing-room-page').contentDocument.scrollingElement;"
                " return p.scrollTop > 0 && p.scrollTop >= p.scrollHeight - p.clientHeight - 2; }"
            ),
            True,
        )
    else:
        assert preview_box["y"] >= editor_box["y"] + editor_box["height"]


def test_a_save_during_an_autosave_waits_for_it_and_is_not_refused_as_an_older_copy(page):
    draft = make_post(title="Race", status=Post.Status.DRAFT, body="Start.")
    log_in(page, "chief")
    held, saves = [], []
    page.route(re.compile(r"/autosave/$"), lambda route: held.append(route))
    page.on(
        "request",
        lambda request: saves.append(request) if request.method == "POST" and "/change/" in request.url else None,
    )
    page.goto(change_path(draft))
    page.locator("#id_body").fill("Start. Then more.")
    assert eventually(page, lambda: len(held), 1) == 1  # the autosave is on its way

    # Listening after the writing room's own handler: by then it has held the Save back, or let it go.
    page.evaluate(
        """() => document.querySelector("#post_form").addEventListener(
            "submit", (event) => { window.saveHeldBack = event.defaultPrevented; })"""
    )
    page.keyboard.press("Control+s")
    assert eventually(page, lambda: page.evaluate("() => window.saveHeldBack !== undefined"), True)
    assert page.evaluate("() => window.saveHeldBack") and saves == []  # the Save waits for the autosave...
    held[0].continue_()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")  # ...then goes through
    draft.refresh_from_db()
    assert draft.body == "Start. Then more."


# What a reader sees of an element: its type and its box.
LOOK = """element => {
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return [style.fontFamily, style.fontSize, style.lineHeight, style.color, style.backgroundColor,
          Math.round(box.width), Math.round(box.height)];
}"""
PAGE_PARTS = (".post-header h1", ".post-body p", ".post-body a.embed-video")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_preview_is_the_page_with_its_fonts_and_video_card(page, browser, live_server, artifacts, scheme):
    post = make_post(
        title="研究室の一年",
        language="ja",
        body="実験ノートを毎週書きました。\n\nhttps://www.youtube.com/watch?v=MgE-e65W5oI\n",
    )
    page.emulate_media(color_scheme=scheme)
    log_in(page, "chief")
    page.goto(change_path(post))
    frame = page.frame_locator("iframe.writing-room-page")
    expect(frame.locator(".post-body p")).to_have_text("実験ノートを毎週書きました。")
    expect(frame.locator(".post-header h1")).to_have_text("研究室の一年")
    expect(frame.locator("html")).to_have_attribute("lang", "ja")
    page.locator("iframe.writing-room-page").screenshot(path=artifacts / f"preview-as-page-{scheme}.png")
    width = page.locator("iframe.writing-room-page").evaluate("frame => frame.contentDocument.body.clientWidth")
    in_preview = [frame.locator(part).evaluate(LOOK) for part in PAGE_PARTS]

    # The public page, as wide as the preview: the same fonts, colours and boxes.
    reader = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    public = reader.new_page()
    public.emulate_media(color_scheme=scheme)
    public.goto(post.get_absolute_url())
    public.screenshot(path=artifacts / f"public-page-{scheme}.png")
    on_the_page = [public.locator(part).evaluate(LOOK) for part in PAGE_PARTS]
    reader.close()
    assert in_preview == on_the_page


def test_the_preview_follows_the_editor_and_the_language(page):
    post = make_post(title="Notes", language="en", status=Post.Status.DRAFT, body="First.")
    log_in(page, "chief")
    page.goto(change_path(post))
    frame = page.frame_locator("iframe.writing-room-page")
    expect(frame.locator(".post-body p")).to_have_text("First.")
    page.locator("#id_body").fill("First.\n\n## A heading")
    expect(frame.locator(".post-body h2")).to_have_text("A heading")
    page.locator("#id_language").select_option("zh-hans")
    expect(frame.locator("html")).to_have_attribute("lang", "zh-hans")


def box(page, selector):
    return page.locator(selector).first.bounding_box()


PUBLISHING = ("#id_language", "#id_status", "#id_publish_at_0", ".field-tags .select2-selection", "#bylines-group")


def test_the_desk_shows_title_editor_and_preview_first_with_publishing_beside_them(page, artifacts):
    post = make_post(title="Leaving the lab", status=Post.Status.DRAFT, body="Why I left.")
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "chief")
    page.goto(change_path(post))
    expect(page.frame_locator("iframe.writing-room-page").locator(".post-body p")).to_have_text("Why I left.")
    page.screenshot(path=artifacts / "desk-1440.png")
    title, editor, preview = box(page, "#id_title"), box(page, "#id_body"), box(page, "iframe.writing-room-page")
    # Title, editor and preview start in the first screen, with room for the editor's first 20rem in it.
    assert title["y"] < editor["y"] and editor["y"] + 20 * 16 <= 900
    assert abs(preview["y"] - editor["y"]) < 5 and preview["x"] > editor["x"] + editor["width"]
    # Publishing and the byline sit in a sidebar to the right of the preview, in the first screen too.
    for selector in PUBLISHING:
        field = box(page, selector)
        assert field["x"] > preview["x"] + preview["width"], selector
        assert field["y"] < 900, selector


def test_on_a_narrow_screen_publishing_comes_under_the_title_before_the_editor(page, artifacts):
    post = make_post(title="Leaving the lab", status=Post.Status.DRAFT, body="Why I left.")
    page.set_viewport_size({"width": 800, "height": 900})
    log_in(page, "chief")
    page.goto(change_path(post))
    page.screenshot(path=artifacts / "desk-800.png", full_page=True)
    title, editor = box(page, "#id_title"), box(page, "#id_body")
    for selector in PUBLISHING:
        field = box(page, selector)
        assert title["y"] + title["height"] < field["y"] < editor["y"], selector


# Each tool of the toolbar, applied to the whole body: its button's name, its keys, the Markdown, what readers get.
TOOLS = [
    ("Bold", "Control+b", "plain", "**plain**", "strong"),
    ("Italic", "Control+i", "plain", "*plain*", "em"),
    ("Link", "Control+k", "plain", "[plain](https://)", "a"),
    ("Heading", "Control+Alt+Digit1", "plain", "## plain", "h2"),
    ("Quote", "Control+Shift+Period", "plain", "> plain", "blockquote"),
    ("List", "Control+Shift+Digit8", "plain", "- plain", "ul li"),
    ("Code", "Control+e", "plain", "`plain`", "code"),
    # A whole line is a display formula, set as a block of its own (inside a sentence, `$…$`: see below).
    ("Math", "Control+Alt+m", "x^2", "$$x^2$$\n\n", "math[display=block]"),
]


@pytest.mark.parametrize("use", ["button", "keys"])
@pytest.mark.parametrize(("name", "keys", "text", "markdown", "element"), TOOLS, ids=[tool[0] for tool in TOOLS])
def test_the_toolbar_formats_the_selection_by_button_or_by_its_shown_shortcut(
    page, use, name, keys, text, markdown, element
):
    _draft, body = editing_draft(page, text)
    toolbar = page.get_by_role("toolbar", name="Formatting")
    button = toolbar.get_by_role("button", name=name, exact=True)
    # The shortcut is shown on the button and announced with it.
    expect(button).to_have_attribute("title", re.compile(r"\(Ctrl/⌘\+"))
    expect(button).to_have_attribute("aria-keyshortcuts", re.compile(r"^Control\+"))
    page.keyboard.press("Control+a")
    if use == "button":
        button.click()
    else:
        page.keyboard.press(keys)
    expect(body).to_have_value(markdown)
    expect(page.frame_locator("iframe.writing-room-page").locator(f".post-body {element}")).to_have_count(1)


def test_the_footnote_tool_numbers_the_mark_and_puts_its_note_at_the_end(page):
    _draft, body = editing_draft(page, "A claim[^1].\n\n[^1]: A source.")
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Footnote").click()
    page.keyboard.type("Another source.")  # the new note's placeholder is selected
    expect(body).to_have_value("A claim[^1].[^2]\n\n[^1]: A source.\n\n[^2]: Another source.\n")
    expect(page.frame_locator("iframe.writing-room-page").locator(".post-body .footnote li")).to_have_count(2)


def test_the_embed_tool_puts_a_video_address_on_a_block_of_its_own(page):
    _draft, body = editing_draft(page, "Before.After.")
    page.keyboard.press("Control+Home")
    for _ in range(len("Before.")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Alt+e")
    dialog = page.get_by_role("dialog", name="Embed")
    dialog.get_by_label("Address of a YouTube or Vimeo video").fill("https://www.youtube.com/watch?v=MgE-e65W5oI")
    dialog.get_by_role("button", name="Insert").click()
    expect(body).to_have_value("Before.\n\nhttps://www.youtube.com/watch?v=MgE-e65W5oI\n\nAfter.")
    expect(page.frame_locator("iframe.writing-room-page").locator(".post-body a.embed-video")).to_have_count(1)


def test_the_math_tool_writes_inline_math_inside_a_sentence_and_display_math_on_a_line_of_its_own(page):
    _draft, body = editing_draft(page, "The area is \n\nAfter.")
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    math = page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Math", exact=True)
    expect(math).to_have_attribute("title", "Math (Ctrl/⌘+Alt+M)")
    math.click()
    page.keyboard.type("\\pi r^2")  # the placeholder's TeX is selected: typing replaces it
    expect(body).to_have_value("The area is $\\pi r^2$\n\nAfter.")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Alt+m")
    page.keyboard.type("e^{i\\pi}")
    expect(body).to_have_value("The area is $\\pi r^2$\n\nAfter.\n\n$$e^{i\\pi}$$\n\n")
    preview = page.frame_locator("iframe.writing-room-page")
    expect(preview.locator(".post-body p math:not([display=block])")).to_have_count(1)
    expect(preview.locator(".post-body math[display=block]")).to_have_count(1)


@pytest.mark.parametrize(
    ("address", "card", "href"),
    [
        ("https://vimeo.com/76979871", ".post-body a.embed-video", "https://vimeo.com/76979871"),
        ("https://x.com/reader/status/1234567890123456789", ".post-body blockquote.tweet-card a", None),
        ("https://gist.github.com/reader/0123456789abcdef0123", ".post-body figure.embed-gist a", None),
        (
            "https://www.instagram.com/p/C1a2B3c4D5e/?igsh=MzRlODBi",
            ".post-body figure.embed-instagram a",
            "https://www.instagram.com/p/C1a2B3c4D5e/",
        ),
    ],
    ids=["vimeo", "x", "gist", "instagram"],
)
def test_the_embed_tool_turns_each_providers_address_into_a_card_that_loads_nothing(page, watch, address, card, href):
    _draft, body = editing_draft(page, "Before.")
    page.keyboard.press("Control+End")
    page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Embed").click()
    dialog = page.get_by_role("dialog", name="Embed")
    dialog.get_by_label("a post on X or Instagram").fill(address)
    dialog.get_by_role("button", name="Insert").click()
    expect(body).to_have_value(f"Before.\n\n{address}\n\n")
    shown = page.frame_locator("iframe.writing-room-page").locator(card).first
    expect(shown).to_be_visible()
    if href:
        expect(shown).to_have_attribute("href", href)
    assert watch.third_party_before_click == []


def test_the_image_tool_picks_a_file_and_inserts_it_as_a_captioned_figure(page, media_served):
    _draft, body = editing_draft(page, "Results:After.")
    page.keyboard.press("Control+Home")
    for _ in range(len("Results:")):
        page.keyboard.press("ArrowRight")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Image").click()
    chooser.value.set_files(files=[{"name": "chart.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}])
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_label("Alternative text").fill("Bar chart of three results")
    dialog.get_by_label("Caption").fill('The "three" results')
    dialog.get_by_role("button", name="Upload and insert").click()

    # A block of its own, the caption as the Markdown title: the page shows a figure with its caption.
    expect(body).to_have_value(
        re.compile(
            r"^Results:\n\n!\[Bar chart of three results\]\(/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png "
            r'"The \\"three\\" results"\)\n\nAfter\.$'
        )
    )
    figure = page.frame_locator("iframe.writing-room-page").locator(".post-body figure")
    expect(figure.locator("img")).to_have_attribute("alt", "Bar chart of three results")
    expect(figure.locator("figcaption")).to_have_text('The "three" results')


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_toolbar_and_its_dialogs_have_no_serious_accessibility_violations(page, scheme):
    page.emulate_media(color_scheme=scheme)
    editing_draft(page, "plain")
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()
    violations = blocking_violations(Axe().run(page, options={"preload": False}))
    assert violations == [], "\n".join(violations)
    page.keyboard.press("Control+Alt+e")
    expect(page.get_by_role("dialog", name="Embed")).to_be_visible()
    violations = blocking_violations(Axe().run(page, options={"preload": False}))
    assert violations == [], "\n".join(violations)
