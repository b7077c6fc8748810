"""The editors' product: writing with markdownx, revisions, roles, publishing, translations, preview."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains
from reversion.models import Version

from blog import rendering
from blog.caching import essay_key
from blog.models import ContentGeneration, PendingPurge, Post
from harness.web import submitted_form
from tests.editing.admin_requests import change_url, new_post_data
from tests.factories import make_author, make_post, make_tag

pytestmark = pytest.mark.django_db


# Writing and revisions.


def test_add_page_offers_the_markdownx_editor_with_preview_and_upload(editor_client):
    response = editor_client.get(reverse("admin:blog_post_add"))

    content = response.content.decode()
    assert '<div class="markdownx">' in content
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in content
    assert 'data-markdownx-upload-urls-path="/markdownx/upload/"' in content
    assert "markdownx/js/markdownx" in content


def test_editor_creates_a_post_and_sees_its_revision(editor_client, editor_user):
    author, tag = make_author("Aya"), make_tag("career")

    response = editor_client.post(reverse("admin:blog_post_add"), new_post_data(author=author, tags=[tag]))

    assert response.status_code == 302
    post = Post.objects.get(title="Leaving academia")
    assert post.slug == "leaving-academia"
    assert post.status == Post.Status.DRAFT
    assert post.body_html == rendering.render(post.body).html
    assert "<strong>questions</strong>" in post.body_html
    assert list(post.authors.all()) == [author]
    assert list(post.tags.all()) == [tag]
    assert [(link.title, link.url) for link in post.related_links.all()] == [
        ("On leaving", "https://example.org/leaving")
    ]

    [version] = Version.objects.get_for_object(post)
    assert version.revision.user == editor_user
    history = editor_client.get(reverse("admin:blog_post_history", args=[post.pk]))
    assert reverse("admin:blog_post_revision", args=[post.pk, version.pk]) in history.content.decode()


def test_a_post_needs_at_least_one_author(editor_client):
    data = new_post_data(author=make_author(), **{"bylines-0-author": ""})

    response = editor_client.post(reverse("admin:blog_post_add"), data)

    assert response.status_code == 200
    assert "A post needs at least one author." in response.content.decode()
    assert not Post.objects.exists()


def test_an_editors_save_is_one_change_for_readers_pages_and_the_edge(editor_client, settings):
    """Title, byline and tag written by one save: the content generation moves once, one purge is owed to the
    edge with every key the save moved, and the reader's page shows the new title and tag."""
    settings.BUNKO_EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # recorded when the save commits; never sent here
    post = make_post(title="Leaving the lab", tags=[make_tag("career")])
    second, phd = make_author("Second"), make_tag("phd")
    edit = submitted_form(editor_client.get(change_url(post)))
    edit.update({"title": "Leaving the lab for good", "bylines-0-author": str(second.pk), "tags": [phd.pk]})
    before = ContentGeneration.objects.get(pk=1).value
    PendingPurge.objects.all().delete()
    assert editor_client.post(change_url(post), edit).status_code == 302

    assert ContentGeneration.objects.get(pk=1).value == before + 1
    (purge,) = PendingPurge.objects.all()
    assert {essay_key(post.translation_key), "lists"} <= set(purge.keys.split())
    page = Client().get(Post.objects.get(pk=post.pk).get_absolute_url()).content.decode()
    assert "Leaving the lab for good" in page and "phd" in page


def test_deleting_a_posts_only_byline_is_refused(editor_client):
    post = make_post(status=Post.Status.DRAFT)
    edit = submitted_form(editor_client.get(change_url(post)))
    response = editor_client.post(change_url(post), {**edit, "bylines-0-DELETE": "on"})
    assertContains(response, "A post needs at least one author.")
    assert post.bylines.count() == 1


def test_restoring_an_earlier_revision_brings_back_title_and_byline(editor_client):
    first_author, second_author = make_author("First"), make_author("Second")
    editor_client.post(reverse("admin:blog_post_add"), new_post_data(author=first_author, title="Original title"))
    post = Post.objects.get()

    edit = submitted_form(editor_client.get(change_url(post)))
    edit.update({"title": "Rewritten title", "bylines-0-author": str(second_author.pk)})
    assert editor_client.post(change_url(post), edit).status_code == 302
    post.refresh_from_db()
    assert (post.title, list(post.authors.all())) == ("Rewritten title", [second_author])

    first_revision = Version.objects.get_for_object(post).order_by("pk").first()
    revision_url = reverse("admin:blog_post_revision", args=[post.pk, first_revision.pk])
    revision_page = editor_client.get(revision_url)
    restored = submitted_form(revision_page)
    assert restored["title"] == "Original title"
    post.refresh_from_db()
    assert post.title == "Rewritten title"  # looking at an old revision changes nothing

    assert editor_client.post(revision_url, restored).status_code == 302

    post.refresh_from_db()
    assert post.title == "Original title"
    assert list(post.authors.all()) == [first_author]
    assert Version.objects.get_for_object(post).count() == 3


def test_a_revision_saved_before_the_renderer_release_rename_still_restores(editor_client):
    editor_client.post(reverse("admin:blog_post_add"), new_post_data(author=make_author(), title="Original title"))
    post = Post.objects.get()
    editor_client.post(change_url(post), {**submitted_form(editor_client.get(change_url(post))), "title": "Rewritten"})
    first_revision = Version.objects.get_for_object(post).order_by("pk").first()
    # History written before migration 0025 names the field renderer_version.
    first_revision.serialized_data = first_revision.serialized_data.replace('"renderer_release"', '"renderer_version"')
    first_revision.save()
    revision_url = reverse("admin:blog_post_revision", args=[post.pk, first_revision.pk])

    assert editor_client.post(revision_url, submitted_form(editor_client.get(revision_url))).status_code == 302

    post.refresh_from_db()
    assert (post.title, post.renderer_release) == ("Original title", rendering.RENDERER_RELEASE)


# Roles.


def test_author_sees_and_opens_only_posts_with_their_byline(author_client, own_author):
    mine = make_post(title="My own essay", authors=[own_author], status=Post.Status.DRAFT)
    theirs = make_post(title="Somebody else's essay", authors=[make_author()], status=Post.Status.DRAFT)

    changelist = author_client.get(reverse("admin:blog_post_changelist")).content.decode()
    assert "My own essay" in changelist
    assert "Somebody else" not in changelist

    assert author_client.get(change_url(mine)).status_code == 200
    assert author_client.get(change_url(theirs)).status_code == 403
    assert author_client.get(reverse("admin:blog_post_history", args=[theirs.pk])).status_code == 403


def test_author_cannot_change_another_authors_post(author_client, own_author, admin_client):
    theirs = make_post(title="Somebody else's essay", authors=[make_author()], status=Post.Status.DRAFT)
    data = submitted_form(admin_client.get(change_url(theirs)))
    data["title"] = "Hijacked"

    response = author_client.post(change_url(theirs), data)

    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Somebody else's essay"


def test_author_cannot_restore_a_revision_of_another_authors_post(editor_client, author_user, own_author):
    editor_client.post(reverse("admin:blog_post_add"), new_post_data(author=make_author(), title="Before"))
    post = Post.objects.get()
    edit = submitted_form(editor_client.get(change_url(post)))
    editor_client.post(change_url(post), {**edit, "title": "After"})
    first_revision = Version.objects.get_for_object(post).order_by("pk").first()
    revision_url = reverse("admin:blog_post_revision", args=[post.pk, first_revision.pk])
    restore = submitted_form(editor_client.get(revision_url))

    editor_client.force_login(author_user)
    response = editor_client.post(revision_url, restore)

    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "After"


def test_author_posting_status_published_leaves_their_post_a_draft(author_client, own_author):
    mine = make_post(title="My draft", authors=[own_author], status=Post.Status.DRAFT)
    data = submitted_form(author_client.get(change_url(mine)))
    assert data["status"] == "draft"  # an author chooses only draft or in review
    data.update(status="published", title="My draft, revised")

    response = author_client.post(change_url(mine), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    mine.refresh_from_db()
    assert (mine.title, mine.status) == ("My draft", Post.Status.DRAFT)
    assert not Post.objects.published().exists()


def test_author_adding_a_post_becomes_its_first_author_and_it_stays_a_draft(author_client, own_author):
    data = submitted_form(author_client.get(reverse("admin:blog_post_add")))
    assert not any(name.startswith("bylines-") for name in data)  # bylines are the editors' business
    data.update(title="Fresh thoughts", body="Some *text*.", status="published")
    assert author_client.post(reverse("admin:blog_post_add"), data).status_code == 200  # not a choice for them
    assert not Post.objects.exists()

    assert author_client.post(reverse("admin:blog_post_add"), {**data, "status": "draft"}).status_code == 302

    post = Post.objects.get(title="Fresh thoughts")
    assert post.status == Post.Status.DRAFT
    assert list(post.authors.all()) == [own_author]
    assert author_client.get(change_url(post)).status_code == 200


def test_author_account_without_profile_is_told_why_it_cannot_write(author_client):
    response = author_client.get(reverse("admin:blog_post_add"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:blog_post_changelist")
    assert "not linked to an author profile" in response.content.decode()


def test_author_cannot_restore_a_published_revision_of_their_own_post(editor_client, author_user, own_author):
    mine = make_post(title="Mine", authors=[own_author], status=Post.Status.DRAFT)
    changelist = reverse("admin:blog_post_changelist")
    editor_client.post(changelist, {"action": "publish", "_selected_action": [mine.pk]})
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [mine.pk]})
    published_revision = Version.objects.get_for_object(mine).order_by("pk").first()
    assert published_revision.field_dict["status"] == Post.Status.PUBLISHED

    editor_client.force_login(author_user)
    revision_url = reverse("admin:blog_post_revision", args=[mine.pk, published_revision.pk])
    response = editor_client.post(revision_url, {"title": "Mine"}, follow=True)

    assert "Only an editor can restore" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == Post.Status.DRAFT


def test_only_those_who_may_delete_posts_see_deleted_ones(author_client, own_author, admin_client):
    recover_list = reverse("admin:blog_post_recoverlist")

    assert author_client.get(recover_list).status_code == 403
    assert admin_client.get(recover_list).status_code == 200


# Publishing.


def action_names(response):
    action_form = response.context["action_form"]  # None when no action at all is offered
    return [name for name, _ in action_form.fields["action"].choices] if action_form else []


def test_publish_actions_are_not_offered_to_authors_and_do_nothing_for_them(author_client, own_author):
    mine = make_post(authors=[own_author], status=Post.Status.DRAFT)
    changelist = reverse("admin:blog_post_changelist")

    assert "publish" not in action_names(author_client.get(changelist))
    author_client.post(changelist, {"action": "publish", "_selected_action": [mine.pk]})

    mine.refresh_from_db()
    assert mine.status == Post.Status.DRAFT


def test_editor_publishes_now_or_at_the_scheduled_time_and_unpublishes(editor_client):
    later = timezone.now() + timezone.timedelta(days=2)
    unscheduled = make_post(title="Unscheduled", status=Post.Status.DRAFT)
    scheduled = make_post(title="Scheduled", status=Post.Status.DRAFT, publish_at=later)
    changelist = reverse("admin:blog_post_changelist")
    assert {"publish", "unpublish"} <= set(action_names(editor_client.get(changelist)))

    response = editor_client.post(
        changelist, {"action": "publish", "_selected_action": [unscheduled.pk, scheduled.pk]}, follow=True
    )

    assert "2 posts were published." in response.content.decode()
    assert list(Post.objects.published()) == [unscheduled]
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.publish_at) == (Post.Status.PUBLISHED, later)
    assert Version.objects.get_for_object(unscheduled).count() == 1

    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [unscheduled.pk]})
    assert not Post.objects.published().exists()


def test_changelist_shows_bylines_without_a_query_per_post(editor_client, django_assert_max_num_queries):
    """Guards the N+1 of reading each row's bylines for the authors column."""
    changelist = reverse("admin:blog_post_changelist")
    for count in (3, 9):
        while Post.objects.count() < count:
            make_post(authors=[make_author(), make_author()])
        with django_assert_max_num_queries(14):
            response = editor_client.get(changelist)
        assert response.context["cl"].result_count == count


# Translations.


def test_create_translation_makes_a_linked_draft_listed_in_the_panel(editor_client):
    authors, tags = [make_author("Aya"), make_author("Ben")], [make_tag("career")]
    source = make_post(
        title="アカデミアを去る",
        slug="leaving",
        language="ja",
        body="本文です。",
        authors=authors,
        tags=tags,
        links=[{"title": "関連", "url": "https://example.org/related"}],
        original_title="Original",
        original_url="https://example.com/original",
    )
    page = editor_client.get(change_url(source)).content.decode()
    translate_url = reverse("admin:blog_post_translate", args=[source.pk])
    assert translate_url in page
    form = editor_client.get(translate_url).context["form"]
    assert [code for code, _ in form.fields["language"].choices] == ["zh-hans", "en"]

    response = editor_client.post(translate_url, {"language": "en", "title": "Leaving academia"})

    translation = Post.objects.get(language="en")
    assert response["Location"] == change_url(translation)
    assert translation.translation_key == source.translation_key
    assert translation.status == Post.Status.DRAFT
    assert (translation.title, translation.body, translation.slug) == (
        "Leaving academia",
        "本文です。",
        "leaving-academia",
    )
    assert (translation.original_title, translation.original_url) == ("Original", "https://example.com/original")
    assert list(translation.authors.all()) == authors
    assert list(translation.tags.all()) == tags
    assert [link.url for link in translation.related_links.all()] == ["https://example.org/related"]
    assert Version.objects.get_for_object(translation).exists()

    panel = editor_client.get(change_url(source)).content.decode()
    assert change_url(translation) in panel
    assert "English" in panel


def test_create_translation_refuses_a_language_that_already_exists(editor_client):
    source = make_post(language="ja")
    make_post(language="en", translation_key=source.translation_key)

    response = editor_client.post(reverse("admin:blog_post_translate", args=[source.pk]), {"language": "en"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert Post.objects.filter(translation_key=source.translation_key).count() == 2


def test_translation_slug_moves_aside_when_taken_in_the_target_language(editor_client):
    source = make_post(title="Leaving", slug="taishoku", language="ja")
    make_post(slug="leaving", language="en")

    editor_client.post(reverse("admin:blog_post_translate", args=[source.pk]), {"language": "en"})

    assert Post.objects.get(language="en", translation_key=source.translation_key).slug == "leaving-2"


def test_author_cannot_translate_another_authors_post(author_client, own_author):
    theirs = make_post(language="ja", authors=[make_author()])

    response = author_client.post(reverse("admin:blog_post_translate", args=[theirs.pk]), {"language": "en"})

    assert response.status_code == 403
    assert not Post.objects.filter(language="en").exists()


# The markdownx preview endpoint.


def test_anonymous_preview_is_sent_to_login(client):
    response = client.post(reverse("markdownx_markdownify"), {"content": "**hi**"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_preview_is_the_html_readers_will_get(editor_client):
    text = "## Title\n\nSome **bold** words."

    response = editor_client.post(reverse("markdownx_markdownify"), {"content": text})

    assert response.status_code == 200
    assert response.content.decode() == rendering.render(text).html
    assert "<strong>bold</strong>" in response.content.decode()


def test_preview_without_content_is_a_400_not_a_500(editor_client):
    assert editor_client.post(reverse("markdownx_markdownify"), {}).status_code == 400


# Concurrent edits: a save from a copy older than the stored post is refused, never silently applied.


@pytest.fixture
def second_editor(editor_user):
    user = User.objects.create_user("other-editor", "other@example.com", "pw-other", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def test_second_editor_saving_a_stale_copy_is_told_and_overwrites_nothing(client, editor_user, second_editor):
    client.force_login(editor_user)
    client.post(reverse("admin:blog_post_add"), new_post_data(author=make_author(), title="First draft"))
    post = Post.objects.get()
    original_body = post.body
    first_copy = submitted_form(client.get(change_url(post)))
    other = Client()
    other.force_login(second_editor)
    second_copy = submitted_form(other.get(change_url(post)))

    assert client.post(change_url(post), {**first_copy, "title": "Editor one's title"}).status_code == 302
    response = other.post(change_url(post), {**second_copy, "body": "Editor two's body"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "editor changed this post at" in page
    assert "after you opened it, so your changes were not saved" in page
    post.refresh_from_db()
    assert (post.title, post.body) == ("Editor one's title", original_body)
    assert [version.field_dict["title"] for version in Version.objects.get_for_object(post)] == [
        "Editor one's title",
        "First draft",
    ]
    # Their text is still in the form, and saving it again is now a choice made knowingly.
    again = submitted_form(response)
    assert again["body"] == "Editor two's body"
    assert other.post(change_url(post), again).status_code == 302
    post.refresh_from_db()
    assert (post.title, post.body) == ("First draft", "Editor two's body")
    assert Version.objects.get_for_object(post).count() == 3  # editor one's version is still in the history


def test_a_save_without_the_opened_version_is_refused(editor_client):
    post = make_post(title="Kept")
    data = submitted_form(editor_client.get(change_url(post)))
    del data["loaded_stamp"]

    response = editor_client.post(change_url(post), {**data, "title": "Blind overwrite"})

    assert response.status_code == 200
    assert "Someone else changed this post" in response.content.decode()
    post.refresh_from_db()
    assert post.title == "Kept"


def test_every_admin_save_is_in_the_revision_history(editor_client, editor_user):
    editor_client.post(reverse("admin:blog_post_add"), new_post_data(author=make_author(), title="Version 0"))
    post = Post.objects.get()
    for number in range(1, 4):
        data = submitted_form(editor_client.get(change_url(post)))
        assert editor_client.post(change_url(post), {**data, "title": f"Version {number}"}).status_code == 302

    versions = list(Version.objects.get_for_object(post).select_related("revision__user"))
    assert [version.field_dict["title"] for version in versions] == [f"Version {n}" for n in (3, 2, 1, 0)]
    assert {version.revision.user for version in versions} == {editor_user}


@pytest.mark.parametrize(("language", "index_title"), [("en", "Site administration"), ("ja", "サイト管理"),
                                                        ("zh-hans", "站点管理")])  # fmt: skip
def test_the_admin_is_branded_bunko_in_every_interface_language(editor_client, language, index_title):
    editor_client.cookies["django_language"] = language
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert re.search(r"<title>[^<]*\bBunko</title>", page)
    assert re.search(r'<div id="site-name"><a href="[^"]+">Bunko</a></div>', page)
    assert f"<h1>{index_title}</h1>" in page
    assert "Django" not in page
    assert re.search(r'<link rel="icon" href="[^"]+/img/favicon\.svg" type="image/svg\+xml">', page)


def test_an_editor_names_a_tag_in_other_languages_on_the_tags_own_page(editor_client, client):
    tag = make_tag("キャリア", slug="career")
    make_post(language="en", slug="essay", tags=[tag])
    change = reverse("admin:blog_tag_change", args=[tag.pk])
    data = submitted_form(editor_client.get(change), form_id="tag_form")
    data |= {
        "names-TOTAL_FORMS": "1",
        "names-0-language": "en",
        "names-0-name": "Career",
        "names-0-description": "The fork in the road.",
    }
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(tag.names.values_list("language", "name")) == [("en", "Career")]
    assert '<a href="/en/tags/career/" rel="tag">Career</a>' in client.get("/en/posts/essay/").content.decode()


def test_the_desk_keeps_the_rarely_used_fields_in_collapsed_sections(editor_client):
    """Title, editor and publishing come first; cover, citation and the advanced fields wait behind a click."""
    post = make_post(title="An essay", language="en")
    page = editor_client.get(reverse("admin:blog_post_change", args=[post.pk])).content.decode()
    collapsed = re.findall(r"<details[^>]*>\s*<summary[^>]*>(.*?)</summary>", page, re.S)
    names = [re.sub(r"<[^>]+>", "", summary).strip() for summary in collapsed]
    assert {"Cover image", "Citation", "Advanced"} <= set(names), names
    # The fields live inside those sections, not beside the editor.
    advanced = page[page.index(">Advanced<") :]
    assert 'name="original_url"' in advanced and 'name="extra_front_matter"' in advanced
    assert page.index('name="body"') < page.index(">Cover image<")
