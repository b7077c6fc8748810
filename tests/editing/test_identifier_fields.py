"""Issue 18 in the admin: the identifiers an editor gives a post or an author are checked, with a reason."""

import pytest
from django.urls import reverse

from blog.models import Author, Post
from harness.web import submitted_form
from tests.editing.admin_requests import new_post_data
from tests.factories import make_author

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor_user):
    client.force_login(editor_user)
    return client


def test_editor_gives_a_post_a_doi_and_a_version_date(editor_client):
    data = new_post_data(author=make_author("Aya"), doi="10.5281/zenodo.1234567", revised_on="2024-05-02")
    assert editor_client.post(reverse("admin:blog_post_add"), data).status_code == 302
    post = Post.objects.get()
    assert (post.doi, post.revised_on.isoformat()) == ("10.5281/zenodo.1234567", "2024-05-02")


def test_a_doi_written_as_a_link_is_refused_with_a_reason_and_nothing_saved(editor_client):
    data = new_post_data(author=make_author("Aya"), doi="https://doi.org/10.5281/zenodo.1234567")
    response = editor_client.post(reverse("admin:blog_post_add"), data)
    assert response.status_code == 200
    assert "without https://doi.org/" in response.content.decode()
    assert not Post.objects.exists()


def test_a_mistyped_orcid_is_refused_and_the_author_keeps_the_stored_one(editor_client):
    author = make_author("Hanako Sato", orcid="0000-0002-1825-0097")
    change = reverse("admin:blog_author_change", args=[author.pk])
    data = submitted_form(editor_client.get(change), form_id="author_form")
    response = editor_client.post(change, {**data, "orcid": "0000-0002-1825-0098", "romanized_name": "Hanako Sato"})
    assert response.status_code == 200
    assert "does not match the others" in response.content.decode()
    assert Author.objects.get().orcid == "0000-0002-1825-0097"

    response = editor_client.post(change, {**data, "orcid": "0000-0002-1694-233X", "romanized_name": "Hanako Sato"})
    assert response.status_code == 302
    assert (Author.objects.get().orcid, Author.objects.get().romanized_name) == ("0000-0002-1694-233X", "Hanako Sato")
