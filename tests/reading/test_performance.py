"""Issue 7 without timing anything: a content generation every write moves, and the page cache (query counts:
test_query_counts.py)."""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.caching import changes_together
from blog.models import ContentGeneration, Post, PostAuthor, RelatedLink, RelatedPost
from blog.portability.importer import import_paths
from tests.factories import make_author, make_post, make_tag, url_in


def titles_readable(response):
    """The page's HTML without the phrase breaks (<wbr>) Japanese and Chinese titles carry."""
    return response.content.decode().replace("<wbr>", "")


def generation():
    return ContentGeneration.objects.get(pk=1).value


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


def test_an_imported_file_moves_the_generation_once_and_its_pages_show_it(client, db, tmp_path):
    """Its post, byline, tags and links are one change: the state moves once, and every page it shows on is fresh."""
    home = url_in("en", "blog:post-list")
    assert "A day in the lab" not in titles_readable(client.get(home))  # the home page is cached without it
    before = generation()
    source = tmp_path / "2024-05-01-a-day-in-the-lab.md"
    source.write_text(
        "---\ntitle: A day in the lab\nauthor: Aiko\ntags: [lab-life, phd]\n"
        "related_links:\n  - title: Read this\n    url: https://example.org/\n---\nBody.\n",
        encoding="utf-8",
    )
    import_paths(paths=[source], language="en")
    assert generation() == before + 1
    assert "A day in the lab" in titles_readable(client.get(home))
    assert "A day in the lab" in titles_readable(client.get(url_in("en", "blog:tag-detail", slug="phd")))


def test_writes_gathered_by_changes_together_move_nothing_when_they_fail(essay):
    before = generation()
    with pytest.raises(RuntimeError), changes_together():
        edit_post(essay)
        add_byline(essay)
        raise RuntimeError("the import of this file failed")
    assert generation() == before
    essay.refresh_from_db()
    assert essay.title == "Leaving the lab"


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
    assert "研究室を出る" not in titles_readable(client.get(home))
    assert "研究室を出る" in titles_readable(client.get(home + "?lang=ja"))
    assert "研究室を出る" not in titles_readable(client.get(home))


# ---- the page cache drops exactly the pages that show what was saved


@pytest.fixture
def two_essays(db, settings):
    """Unrelated essays: different languages (so not neighbours), tags and authors."""
    settings.BUNKO_PAGE_CACHE_SECONDS = 300
    lab = make_post(title="Leaving the lab", tags=[make_tag("career")], authors=[make_author("Aiko")])
    school = make_post(title="大学に残る", language="ja", tags=[make_tag("academia")], authors=[make_author("Ben")])
    return lab, school


def rerenders(client, path, rendered_templates):
    """Whether getting `path` built the page (else the page cache answered, reading at most two rows)."""
    rendered_templates.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    built = bool(rendered_templates) or len(queries) > 2
    assert built == (len(queries) > 2), f"{path}: {len(queries)} queries, templates {rendered_templates}"
    return built


@pytest.mark.parametrize(
    "edit, shown_on",
    [
        (edit_post, "every page listing it"),
        (edit_tag, "every page listing it"),
        (edit_author, "every page listing it"),
        (add_related_link, "its own page"),
    ],
)
def test_an_edit_expires_exactly_the_cached_pages_that_show_it(client, two_essays, edit, shown_on, rendered_templates):
    lab, school = two_essays
    lab_page = lab.get_absolute_url()
    lists_with_lab = [url_in("en", "blog:post-list"), url_in("en", "blog:feed-rss")]
    lists_with_lab += [url_in("en", "blog:tag-detail", slug="career"), url_in("en", "blog:author-detail", slug="aiko")]
    unrelated = [school.get_absolute_url(), url_in("ja", "blog:tag-detail", slug="academia")]
    unrelated += [url_in("en", "blog:author-detail", slug="ben"), url_in("ja", "blog:language-feed-atom")]
    for path in [lab_page, *lists_with_lab, *unrelated]:
        client.get(path)
        assert not rerenders(client, path, rendered_templates), f"{path} was not cached"

    edit(lab)

    assert rerenders(client, lab_page, rendered_templates)
    expired_lists = [path for path in lists_with_lab if rerenders(client, path, rendered_templates)]
    assert expired_lists == (lists_with_lab if shown_on == "every page listing it" else [])
    assert [path for path in unrelated if rerenders(client, path, rendered_templates)] == []


def test_publishing_an_essay_expires_every_list_and_post_page(client, two_essays, rendered_templates):
    lab, school = two_essays
    pages = [lab.get_absolute_url(), school.get_absolute_url(), url_in("ja", "blog:tag-detail", slug="academia")]
    for path in pages:
        client.get(path)
    make_post(title="新しいエッセイ", language="ja", tags=school.tags.all())
    # Neighbours, related posts, month lists and tag pages all come from the lists.
    assert [path for path in pages if rerenders(client, path, rendered_templates)] == pages
    assert "新しいエッセイ" in titles_readable(client.get(pages[-1]))


def test_cached_pages_show_a_scheduled_essay_once_its_time_comes(client, two_essays, time_machine):
    later = make_post(title="明日のエッセイ", language="ja", publish_at=timezone.now() + datetime.timedelta(days=1))
    home = url_in("ja", "blog:post-list")
    assert "明日のエッセイ" not in titles_readable(client.get(home))
    assert "明日のエッセイ" not in titles_readable(client.get(home))  # from the cache
    time_machine.move_to(later.publish_at + datetime.timedelta(seconds=1))
    assert "明日のエッセイ" in titles_readable(client.get(home))
    assert client.get(later.get_absolute_url()).status_code == 200
