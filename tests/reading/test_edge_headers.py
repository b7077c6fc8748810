"""What each response tells a shared cache at the edge: how long it may keep it and which keys label it.

A page an edge may share says `s-maxage` (browsers still revalidate: `max-age=0`) and names the keys of
what it shows in `Surrogate-Key` and `xkey`; anything one visitor's says `private` and names nothing.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.caching import ANY_CHANGE
from blog.editing.preview import preview_url
from blog.models import Post
from tests.factories import make_author, make_post, make_tag, url_in


@pytest.fixture
def essay(db):
    return make_post(title="Field notes", tags=[make_tag("botany")], authors=[make_author("Mei")])


def keys(response):
    assert response["Surrogate-Key"] == response["xkey"]
    return set(response["Surrogate-Key"].split())


def assert_shared(response):
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "max-age=0" in directives and "s-maxage=86400" in directives
    assert "private" not in directives and "no-store" not in directives


def assert_private(response):
    assert "private" in response["Cache-Control"] and "s-maxage" not in response["Cache-Control"]
    assert "Surrogate-Key" not in response and "xkey" not in response


def test_a_post_page_names_its_essay_tags_authors_and_the_lists(client, essay):
    tag, author = essay.tags.get(), essay.authors.get()
    response = client.get(essay.get_absolute_url())
    assert_shared(response)
    assert keys(response) >= {
        f"essay:{essay.translation_key}",
        f"essay-page:{essay.translation_key}",
        f"tag:{tag.pk}",
        f"author:{author.pk}",
        "lists",
        "everything",
    }


def test_lists_tags_authors_and_feeds_name_the_essays_they_show(client, essay):
    other = make_post(title="Unrelated")
    tag, author = essay.tags.get(), essay.authors.get()
    tag_page = client.get(url_in("en", "blog:tag-detail", slug=tag.slug))
    assert_shared(tag_page)
    assert f"essay:{essay.translation_key}" in keys(tag_page) and f"tag:{tag.pk}" in keys(tag_page)
    assert f"essay:{other.translation_key}" not in keys(tag_page)
    author_page = client.get(url_in("en", "blog:author-detail", slug=author.slug))
    assert f"author:{author.pk}" in keys(author_page)
    for name in ("blog:post-list", "blog:feed-rss", "blog:feed-atom", "blog:language-feed-rss"):
        response = client.get(url_in("en", name))
        assert_shared(response)
        assert {f"essay:{essay.translation_key}", f"essay:{other.translation_key}", "lists"} <= keys(response), name
    for path in (
        url_in("en", "blog:archive-year", year=essay.publish_at.year),
        url_in("en", "blog:tag-feed-atom", slug=tag.slug),
        url_in("en", "blog:author-feed-rss", slug=author.slug),
    ):
        response = client.get(path)
        assert_shared(response)
        assert f"essay:{essay.translation_key}" in keys(response), path


def test_pages_that_name_nothing_are_labelled_with_any_change(client, essay):
    for path in (reverse("sitemap-index"), url_in("en", "blog:search") + "?q=field"):
        response = client.get(path)
        assert_shared(response)
        assert keys(response) == {ANY_CHANGE}, path


def test_a_page_from_the_page_cache_names_the_same_keys(client, essay):
    first = client.get(essay.get_absolute_url())
    again = client.get(essay.get_absolute_url())
    assert not again.templates  # served from the page cache
    assert keys(again) == keys(first)
    assert_shared(again)


def test_pages_do_not_count_down_to_a_scheduled_posts_embargo(client, essay):
    """s-maxage once ran down to the next scheduled time, telling anyone when an embargoed post would appear."""
    make_post(title="Embargoed", publish_at=timezone.now() + timezone.timedelta(hours=3))
    for path in (url_in("en", "blog:post-list"), essay.get_absolute_url(), url_in("en", "blog:feed-atom")):
        assert_shared(client.get(path))  # the same s-maxage=86400 as with nothing scheduled


def test_the_language_redirect_previews_the_admin_and_staff_are_private(client, admin_client, essay):
    assert_private(client.get("/", HTTP_ACCEPT_LANGUAGE="ja"))
    draft = make_post(title="Draft", status=Post.Status.DRAFT)
    assert_private(client.get(preview_url(draft)))
    assert_private(client.get(reverse("admin:login")))
    assert_private(admin_client.get(reverse("admin:blog_post_changelist")))
    # An editor reading the site has a session: what they get may differ from a reader's, so it is theirs alone.
    assert_private(admin_client.get(essay.get_absolute_url()))


def test_missing_pages_are_private(client, essay):
    response = client.get(url_in("en", "blog:post-detail", slug="no-such-essay"))
    assert response.status_code == 404
    assert_private(response)
