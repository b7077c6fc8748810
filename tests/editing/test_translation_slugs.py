"""Each language version has its own slug: made from its own title (ASCII for English, the title's script for
Japanese and Chinese), following that title until the version is published, and leaving a redirect behind when a
published version's slug changes."""

import pytest
from django.urls import reverse

from blog.models import Post
from blog.portability.importer import import_paths
from harness.web import submitted_form
from tests.editing.admin_requests import change_url
from tests.factories import make_post, url_in

pytestmark = pytest.mark.django_db


def create_translation(client, source, language, title):
    data = {"language": language, "title": title}
    response = client.post(reverse("admin:blog_post_translate", args=[source.pk]), data)
    assert response.status_code == 302
    return Post.objects.get(translation_key=source.translation_key, language=language)


def save_in_admin(client, post, **changes):
    data = submitted_form(client.get(change_url(post)))
    assert client.post(change_url(post), {**data, **changes}).status_code == 302
    return Post.objects.get(pk=post.pk)


@pytest.mark.parametrize(
    ("source_language", "language", "title", "slug"),
    [
        ("ja", "en", "Between Research and Life", "between-research-and-life"),
        ("ja", "zh-hans", "在研究与生活之间", "在研究与生活之间"),
        ("en", "ja", "研究と暮らしのあいだで", "研究と暮らしのあいだで"),
    ],
)
def test_a_new_translation_is_addressed_by_its_own_title_not_the_sources_slug(
    editor_client, source_language, language, title, slug
):
    source = make_post(title="研究と暮らしのあいだで", slug="between", language=source_language)
    translation = create_translation(editor_client, source, language, title)
    assert (translation.title, translation.slug) == (title, slug)
    assert translation.get_absolute_url() == url_in(language, "blog:post-detail", slug=slug)


@pytest.mark.parametrize(
    ("language", "retitled", "slug"),
    [
        ("en", "A Café Between Research and Life", "a-cafe-between-research-and-life"),
        ("ja", "研究と暮らし、その後", "研究と暮らしその後"),
        ("zh-hans", "研究与生活之后", "研究与生活之后"),
    ],
)
def test_a_draft_translations_slug_follows_its_title_until_it_is_published(editor_client, language, retitled, slug):
    source = make_post(title="Leaving the lab", slug="leaving", language="en" if language != "en" else "ja")
    translation = create_translation(editor_client, source, language, "Working title")
    translation = save_in_admin(editor_client, translation, title=retitled)
    assert translation.slug == slug

    published = save_in_admin(editor_client, translation, status="published")
    assert published.slug == slug
    assert save_in_admin(editor_client, published, title="Another title").slug == slug
    assert editor_client.get(url_in(language, "blog:post-detail", slug=slug)).status_code == 200


def test_a_slug_the_editor_typed_stays_when_the_title_changes(editor_client):
    draft = make_post(title="Working title", language="en", status=Post.Status.DRAFT)
    draft = save_in_admin(editor_client, draft, title="Notes from the lab")
    assert draft.slug == "notes-from-the-lab"
    draft = save_in_admin(editor_client, draft, slug="lab-notes")
    assert save_in_admin(editor_client, draft, title="Notes from the lab, revised").slug == "lab-notes"


def test_a_drafts_slug_made_from_its_title_stays_free_of_other_posts_in_its_language(editor_client):
    make_post(title="Lab notes", language="en")
    draft = make_post(title="Working title", language="en", status=Post.Status.DRAFT)
    assert save_in_admin(editor_client, draft, title="Lab notes").slug == "lab-notes-2"


@pytest.mark.parametrize(
    ("language", "old_slug", "new_slug"),
    [
        ("en", "a-day-in-the-lab", "one-day-in-the-lab"),
        ("ja", "研究室の一日", "ラボの一日"),
        ("zh-hans", "实验室的一天", "实验室一日"),
    ],
)
def test_changing_a_published_slug_redirects_the_old_address(editor_client, editor_user, language, old_slug, new_slug):
    post = make_post(title="A day", slug=old_slug, language=language)
    old_url = post.get_absolute_url()
    post = save_in_admin(editor_client, post, slug=new_slug)
    editor_client.logout()

    response = editor_client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == url_in(language, "blog:post-detail", slug=new_slug)
    assert editor_client.get(response["Location"]).status_code == 200

    # Renamed again, and back: every old address leads to the current one, and none loops.
    editor_client.force_login(editor_user)
    post = save_in_admin(editor_client, post, slug=old_slug)
    editor_client.logout()
    assert editor_client.get(old_url).status_code == 200
    assert editor_client.get(url_in(language, "blog:post-detail", slug=new_slug))["Location"] == old_url


def test_an_imported_draft_keeps_the_slug_its_file_names_when_its_title_changes(editor_client, tmp_path):
    path = tmp_path / "site" / "_posts" / "2024-01-22-lab-notes.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: Lab notes\ndraft: true\nlang: en\n---\n\nBody.\n", encoding="utf-8")
    import_paths(paths=[tmp_path / "site"])
    path.write_text(path.read_text().replace("title: Lab notes", "title: Notes from the lab"), encoding="utf-8")
    import_paths(paths=[tmp_path / "site"])
    imported = Post.objects.get()
    assert (imported.title, imported.slug) == ("Notes from the lab", "lab-notes")

    # The same change to a draft made here moves its slug.
    draft = make_post(title="Bench notes", language="en", status=Post.Status.DRAFT)
    assert save_in_admin(editor_client, draft, title="Notes from the bench").slug == "notes-from-the-bench"
