"""Titles and summaries as typed, autosaved and imported: no control characters, a summary of at most 2,000
characters, and a title stored with control characters before they were refused still renders everywhere."""

import xml.etree.ElementTree as ET

import pytest
import rispy
from django.urls import reverse

from blog.editing.forms import edit_stamp
from blog.models import PendingDraft, Post
from blog.portability.importer import import_paths
from tests.editing.admin_requests import new_post_data
from tests.factories import make_author, make_post, url_in

pytestmark = pytest.mark.django_db

AUTOSAVE = reverse("admin:blog_post_autosave")
CONTROLLED_TITLES = ["\x01", "Notes\x08 on\x1b[31m colour", "Two\nlines", "Tab\tstop", "C1\x85 control"]
CONTROLLED_SUMMARIES = ["Bell\x07", "Escape\x1b[0m sequence", "DEL\x7f"]
TOO_LONG_SUMMARY = "あ" * 2001


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client


def autosaved(**fields):
    return {"title": "Leaving the lab", "summary": "", "body": "First paragraph.", "language": "en", **fields}


def form_errors_on_saving(editor_client, **fields):
    """The add page's form errors after saving a new post with `fields`: {} when it was saved."""
    data = new_post_data(author=make_author("Aya"), **fields)
    response = editor_client.post(reverse("admin:blog_post_add"), data)
    return response.context["adminform"].form.errors if response.status_code == 200 else {}


@pytest.mark.parametrize("title", CONTROLLED_TITLES)
def test_save_refuses_a_title_with_control_characters(editor_client, title):
    errors = form_errors_on_saving(editor_client, title=title)

    assert "invisible control characters" in errors["title"][0]
    assert not Post.objects.exists()


@pytest.mark.parametrize("summary", CONTROLLED_SUMMARIES)
def test_save_refuses_a_summary_with_control_characters_but_keeps_its_line_breaks(editor_client, summary):
    errors = form_errors_on_saving(editor_client, summary=summary)

    assert "invisible control characters" in errors["summary"][0]
    assert not Post.objects.exists()

    assert form_errors_on_saving(editor_client, summary="First line,\r\nsecond line\tand a tab.") == {}
    assert Post.objects.get().summary == "First line,\r\nsecond line\tand a tab."


def test_save_refuses_a_summary_over_2000_characters(editor_client):
    errors = form_errors_on_saving(editor_client, summary=TOO_LONG_SUMMARY)

    assert errors["summary"] == ["Ensure this value has at most 2000 characters (it has 2001)."]
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", CONTROLLED_TITLES[0]), ("title", CONTROLLED_TITLES[1]), ("summary", CONTROLLED_SUMMARIES[0])]
    + [("summary", TOO_LONG_SUMMARY)],
    ids=["title-control", "title-escape", "summary-control", "summary-too-long"],
)
def test_autosave_refuses_what_save_refuses_for_a_new_post_a_draft_and_a_pending_draft(editor_client, field, value):
    response = editor_client.post(AUTOSAVE, autosaved(**{field: value}))
    assert response.status_code == 400
    assert not Post.objects.exists()

    draft = make_post(title="Draft", summary="Kept.", status=Post.Status.DRAFT)
    published = make_post(title="Published", summary="Kept.")
    for post in (draft, published):
        edit = autosaved(post=str(post.pk), loaded_stamp=edit_stamp(post), **{field: value})
        response = editor_client.post(AUTOSAVE, edit)
        assert response.status_code == 400
        assert ("control characters" in response.json()["error"]) or ("at most 2000" in response.json()["error"])
        post.refresh_from_db()
        assert (post.summary, post.title) == ("Kept.", post.title.strip())
    assert list(Post.objects.values_list("title", flat=True).order_by("title")) == ["Draft", "Published"]
    assert not PendingDraft.objects.exists()


def test_import_removes_control_characters_and_cuts_a_long_summary_and_says_so(tmp_path):
    long_summary = "x" * 2500
    (tmp_path / "essay.md").write_text(
        f'---\ntitle: "Notes\\x01 on\\ttabs"\nsummary: "Bell\\x07 rung. {long_summary}"\n---\nText.\n',
        encoding="utf-8",
    )

    report = import_paths(paths=[tmp_path])

    assert (report.created, report.failed) == (1, 0)
    post = Post.objects.get()
    assert post.title == "Notes ontabs"
    assert post.summary == "Bell rung. " + "x" * 1989
    assert any("control characters removed from the title" in warning for warning in report.warnings)
    assert any("control characters removed from the summary" in warning for warning in report.warnings)
    assert any("summary cut from 2,511 to 2,000 characters" in warning for warning in report.warnings)


def test_a_title_stored_as_a_control_character_still_renders_everywhere(client):
    post = make_post(title="Clean", slug="stored-before", summary="Read\x02 me")
    Post.objects.filter(pk=post.pk).update(title="\x01")

    assert client.get(post.get_absolute_url()).status_code == 200
    for name in ("blog:feed-rss", "blog:feed-atom"):
        feed = client.get(url_in("en", name))
        assert feed.status_code == 200
        ET.fromstring(feed.content)
    for extension in ("bib", "ris", "json"):
        download = client.get(url_in("en", "blog:post-citation", slug=post.slug, extension=extension))
        assert download.status_code == 200, (extension, download.content)
    ris = client.get(url_in("en", "blog:post-citation", slug=post.slug, extension="ris")).content.decode()
    [record] = rispy.loads(ris)
    assert record["title"] == "Untitled"
