"""Conditional GET: feeds and post pages answer a client that already has the current version with 304."""

import datetime

import pytest
from django.utils import timezone
from django.utils.http import parse_http_date

from blog.models import Post
from tests.factories import make_author, make_post, make_tag, url_in


@pytest.fixture
def essay(db):
    original = make_post(title="Leaving the lab", tags=[make_tag("career")], authors=[make_author("Aiko")])
    make_post(title="研究室を出る", language="ja", translation_key=original.translation_key)
    return original


def validators(response):
    return {"HTTP_IF_NONE_MATCH": response["ETag"], "HTTP_IF_MODIFIED_SINCE": response["Last-Modified"]}


def conditional_urls(essay):
    tag, author = essay.tags.get(), essay.authors.get()
    return [
        essay.get_absolute_url(),
        url_in("en", "blog:feed-rss"),
        url_in("en", "blog:feed-atom"),
        url_in("en", "blog:language-feed-rss"),
        url_in("ja", "blog:language-feed-atom"),
        url_in("en", "blog:tag-feed-rss", slug=tag.slug),
        url_in("en", "blog:tag-feed-atom", slug=tag.slug),
        url_in("en", "blog:author-feed-rss", slug=author.slug),
        url_in("en", "blog:author-feed-atom", slug=author.slug),
    ]


def test_repeating_the_validators_gets_304_without_rendering(client, essay, django_assert_max_num_queries):
    for path in conditional_urls(essay):
        first = client.get(path)
        assert first.status_code == 200, path
        assert first["ETag"].startswith('"') and first["Last-Modified"]
        assert "max-age=0" in first["Cache-Control"]  # browsers revalidate every time
        with django_assert_max_num_queries(2):
            again = client.get(path, **validators(first))
        assert again.status_code == 304, path
        assert again.content == b""
        assert again["ETag"] == first["ETag"]


def test_if_modified_since_alone_is_enough(client, essay):
    first = client.get(url_in("en", "blog:feed-atom"))
    assert client.get(url_in("en", "blog:feed-atom"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_last_modified_is_the_newest_visible_change(client, essay):
    essay.save()
    response = client.get(essay.get_absolute_url())
    assert parse_http_date(response["Last-Modified"]) == int(Post.objects.get(pk=essay.pk).updated_at.timestamp())


def test_editing_a_post_changes_the_etag_of_its_page_and_feeds(client, essay):
    before = {path: client.get(path) for path in conditional_urls(essay)}
    essay.title = "Leaving the lab, revisited"
    essay.save()
    for path, first in before.items():
        response = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 200, path
        assert response["ETag"] != first["ETag"]
    assert "Leaving the lab, revisited" in client.get(url_in("en", "blog:feed-rss")).content.decode()


def test_each_url_has_its_own_etag(client, essay):
    etags = {client.get(path)["ETag"] for path in conditional_urls(essay)}
    etags.add(client.get(url_in("ja", "blog:feed-rss"))["ETag"])
    assert len(etags) == len(conditional_urls(essay)) + 1


def test_a_scheduled_post_appearing_changes_the_etag(client, essay, time_machine):
    scheduled = make_post(title="Tomorrow", publish_at=timezone.now() + datetime.timedelta(days=1))
    first = client.get(url_in("en", "blog:feed-rss"))
    assert "Tomorrow" not in first.content.decode()
    time_machine.move_to(scheduled.publish_at + datetime.timedelta(minutes=1))
    response = client.get(url_in("en", "blog:feed-rss"), **validators(first))
    assert response.status_code == 200
    assert "Tomorrow" in response.content.decode()


def test_unpublishing_changes_the_etag(client, essay):
    other = make_post(title="Second thoughts")
    first = client.get(url_in("en", "blog:feed-atom"))
    Post.objects.filter(pk=other.pk).update(status=Post.Status.DRAFT)  # no save(): updated_at stays put
    response = client.get(url_in("en", "blog:feed-atom"), **validators(first))
    assert response.status_code == 200
    assert "Second thoughts" not in response.content.decode()


@pytest.fixture
def bystanders(db):
    """A tag and an author older than the essay's, so the essay's are not simply the first rows."""
    return make_tag("aardvarks"), make_author("Aaron")


def test_renaming_a_tag_or_author_changes_the_etag(client, bystanders, essay):
    tag, author = essay.tags.get(), essay.authors.get()
    first = client.get(url_in("en", "blog:feed-atom"))
    tag.name = "careers"
    tag.save()
    second = client.get(url_in("en", "blog:feed-atom"), **validators(first))
    assert second.status_code == 200 and "careers" in second.content.decode()
    author.name = "Aiko Tanaka"
    author.save()
    third = client.get(url_in("en", "blog:feed-atom"), **validators(second))
    assert third.status_code == 200 and "Aiko Tanaka" in third.content.decode()


def test_publishing_a_translation_changes_the_post_pages_etag(client, essay):
    first = client.get(essay.get_absolute_url())
    make_post(title="离开实验室", language="zh-hans", translation_key=essay.translation_key)
    assert client.get(essay.get_absolute_url(), **validators(first)).status_code == 200


def test_editing_a_draft_changes_nothing_readers_see(client, essay):
    draft = make_post(title="Unfinished", status=Post.Status.DRAFT)
    first = client.get(essay.get_absolute_url())
    draft.body = "More words."
    draft.save()
    assert client.get(essay.get_absolute_url(), **validators(first)).status_code == 304


@pytest.mark.parametrize("status", ["draft", "scheduled", "missing"])
def test_pages_that_do_not_exist_carry_no_validators(client, essay, status):
    if status == "missing":
        path = url_in("en", "blog:post-detail", slug="no-such-essay")
    else:
        hidden = make_post(
            title=f"Hidden {status}",
            status=Post.Status.DRAFT if status == "draft" else Post.Status.PUBLISHED,
            **({"publish_at": timezone.now() + datetime.timedelta(days=1)} if status == "scheduled" else {}),
        )
        path = hidden.get_absolute_url()
    response = client.get(path, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404
    assert "ETag" not in response


def test_a_deleted_tags_feed_is_gone_not_unmodified(client, essay):
    tag = essay.tags.get()
    path = url_in("en", "blog:tag-feed-rss", slug=tag.slug)
    first = client.get(path)
    tag.delete()
    response = client.get(path, **validators(first))
    assert response.status_code == 404
    assert "ETag" not in response
