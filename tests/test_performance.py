"""Issue 7 without timing anything: flat query counts, a content generation every write moves, the page cache."""

import io
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test.signals import template_rendered

from blog.importer import import_paths
from blog.models import ContentGeneration, Post, PostAuthor, RelatedLink, RelatedPost
from tests.factories import make_author, make_post, make_tag, url_in


def generation():
    return ContentGeneration.objects.get(pk=1).value


# ---- query counts stay flat as the site grows


@pytest.fixture(params=[10, 2000], ids=lambda size: f"{size}-posts")
def seeded(request, db, settings):
    """The benchmark's own seeded site at two sizes; the page cache is off so every request renders."""
    settings.BUNKO_PAGE_CACHE_SECONDS = 0
    call_command("seed_posts", size=request.param, stdout=io.StringIO())
    # An English essay, with editor-picked related posts when the site has one.
    english = Post.objects.published().filter(language="en").annotate(picks=Count("related_entries"))
    return english.order_by("-picks", "pk").first()


def list_pages(post):
    tag, author = post.tags.first(), post.authors.first()
    return {
        "home": url_in("en", "blog:post-list"),
        "home-last-page-ja": url_in("ja", "blog:post-list") + "?page=last",
        "home-in-chinese": url_in("en", "blog:post-list") + "?lang=zh-hans",
        "tag": url_in("en", "blog:tag-detail", slug=tag.slug),
        "author": url_in("en", "blog:author-detail", slug=author.slug),
        "archive-year": url_in("en", "blog:archive-year", year=post.publish_at.year),
        "archive-month": url_in("en", "blog:archive-month", year=post.publish_at.year, month=post.publish_at.month),
        "search": url_in("ja", "blog:search") + "?q=博士",
        "feed": url_in("en", "blog:feed-rss"),
        "tag-feed": url_in("en", "blog:tag-feed-atom", slug=tag.slug),
    }


def test_a_post_page_costs_at_most_6_queries_at_any_size(client, seeded, django_assert_max_num_queries):
    """Guards the N+1s a post page invites: bylines, tags, versions, related posts and links, neighbours."""
    with django_assert_max_num_queries(6):
        response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    assert seeded.title in response.content.decode()


LIST_PAGES = [
    "home", "home-last-page-ja", "home-in-chinese", "tag", "author", "archive-year", "archive-month", "search", "feed",
    "tag-feed",
]  # fmt: skip


@pytest.mark.parametrize("page", LIST_PAGES)
def test_a_list_page_costs_at_most_8_queries_at_any_size(client, seeded, page, django_assert_max_num_queries):
    """Guards per-card queries (bylines, authors, tags, translations) and per-month archive queries."""
    path = list_pages(seeded)[page]
    with django_assert_max_num_queries(8):
        response = client.get(path)
    assert response.status_code == 200, path
    assert response.content


# ---- the content generation moves on every write a reader could notice


@pytest.fixture
def essay(db):
    return make_post(title="Leaving the lab", authors=[make_author("Aiko")], tags=[make_tag("career")])


def edit_post(essay):
    essay.title = "Leaving the lab, again"
    essay.save()


def edit_tag(essay):
    tag = essay.tags.get()
    tag.description = "Jobs."
    tag.save()


def edit_author(essay):
    author = essay.authors.get()
    author.name = "Aiko Tanaka"
    author.save()


def add_byline(essay):
    PostAuthor.objects.create(post=essay, author=make_author("Ben"), position=1)


def reorder_bylines(essay):
    essay.bylines.update(position=5)


def add_related_post(essay):
    RelatedPost.objects.create(from_post=essay, to_post=make_post(title="Before"), position=0)


def add_related_link(essay):
    RelatedLink.objects.create(post=essay, title="Read this", url="https://example.org/", position=0)


def edit_related_link(essay):
    link = RelatedLink.objects.create(post=essay, title="Read this", url="https://example.org/", position=0)
    before = generation()
    link.title = "Read that"
    link.save()
    assert generation() > before


def tag_post(essay):
    essay.tags.add(make_tag("phd"))


def untag_post(essay):
    essay.tags.clear()


def unpublish_with_update(essay):
    # What the admin's "unpublish" action does: no save(), no signal.
    Post.objects.filter(pk=essay.pk).update(status=Post.Status.DRAFT)


def bulk_create_posts(essay):
    Post.objects.bulk_create([Post(title="Bulk", slug="bulk", language="en", body="x")])


def delete_post(essay):
    essay.delete()


def delete_tags_in_bulk(essay):
    essay.tags.all().delete()


def import_a_post(essay):
    source = Path(tempfile.mkdtemp()) / "2024-01-02-imported.md"
    source.write_text("---\ntitle: Imported\n---\nHello.\n", encoding="utf-8")
    import_paths(paths=[source], language="en")


@pytest.mark.parametrize(
    "write",
    [
        edit_post,
        edit_tag,
        edit_author,
        add_byline,
        reorder_bylines,
        add_related_post,
        add_related_link,
        edit_related_link,
        tag_post,
        untag_post,
        unpublish_with_update,
        bulk_create_posts,
        delete_post,
        delete_tags_in_bulk,
        import_a_post,
    ],
)
def test_every_kind_of_write_moves_the_generation(essay, write):
    before = generation()
    write(essay)
    assert generation() > before


def test_editing_a_draft_leaves_the_generation_alone(db):
    draft = make_post(title="Unfinished", status=Post.Status.DRAFT)
    before = generation()
    draft.body = "More words."
    draft.save()
    assert generation() == before


def test_unpublishing_through_save_moves_the_generation(essay):
    before = generation()
    essay.status = Post.Status.DRAFT
    essay.save()
    assert generation() > before


# ---- the page cache


@pytest.fixture
def rendered_templates():
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


@pytest.mark.parametrize("page", ["post", "home", "tag", "feed"])
def test_a_cached_page_is_served_without_rendering_and_an_edit_shows_next_time(
    client, essay, page, rendered_templates, django_assert_max_num_queries
):
    path = {
        "post": essay.get_absolute_url(),
        "home": url_in("en", "blog:post-list"),
        "tag": url_in("en", "blog:tag-detail", slug="career"),
        "feed": url_in("en", "blog:feed-rss"),
    }[page]
    first = client.get(path)
    assert first.status_code == 200 and "Leaving the lab" in first.content.decode()
    rendered_templates.clear()
    with django_assert_max_num_queries(1):
        again = client.get(path)
    assert again.status_code == 200
    assert again.content == first.content
    assert rendered_templates == []
    # Security headers come from middleware, which runs on cached responses too.
    assert "default-src" in again["Content-Security-Policy"]

    edit_post(essay)
    after = client.get(path)
    assert "Leaving the lab, again" in after.content.decode()


def test_logged_in_staff_never_get_or_fill_the_cache(client, essay, editor_user, rendered_templates):
    client.force_login(editor_user)
    client.get(essay.get_absolute_url())
    rendered_templates.clear()
    client.get(essay.get_absolute_url())
    assert rendered_templates, "staff pages render every time"


def test_query_string_variants_are_cached_apart(client, essay):
    make_post(title="研究室を出る", language="ja", translation_key=essay.translation_key)
    home = url_in("en", "blog:post-list")
    assert "研究室を出る" not in client.get(home).content.decode()
    assert "研究室を出る" in client.get(home + "?lang=ja").content.decode()
    assert "研究室を出る" not in client.get(home).content.decode()
