"""Prepared queries give what their querysets give, for any values, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Exists, F, OuterRef
from django.test.utils import CaptureQueriesContext

from blog.models import Post, PostAuthor, RelatedPost
from blog.reading import prepared
from blog.reading.prepared import Param, Prepared
from tests.factories import make_author, make_post, make_tag

pytestmark = pytest.mark.django_db

NOON = datetime(2024, 6, 1, 12, tzinfo=UTC)


def visible_in(language_code=None, now=None, key=None):
    """Published posts in a language, with whether an editor picked related posts: Params or plain values."""
    posts = Post.objects.published(now).filter(language=language_code)
    if key is not None:
        posts = posts.exclude(translation_key=key)
    return posts.annotate(has_picks=Exists(RelatedPost.objects.filter(from_post=OuterRef("pk"))))


def params(*, but_key=False):
    field = Post._meta.get_field
    found = {"language_code": Param("language", field("language")), "now": Param("now", field("publish_at"))}
    if but_key:
        found["key"] = Param("key", field("translation_key"))
    return found


@pytest.fixture
def site():
    older = make_post(title="Older", language="en", publish_at=NOON - timedelta(days=2))
    newer = make_post(title="Newer", language="en", publish_at=NOON - timedelta(hours=1), related=[older])
    make_post(title="Tomorrow", language="en", publish_at=NOON + timedelta(days=1))
    make_post(title="Japanese", language="ja", publish_at=NOON - timedelta(days=1))
    return older, newer


@pytest.mark.parametrize(
    ("language", "now"),
    [("en", NOON), ("ja", NOON), ("en", NOON + timedelta(days=2)), ("en", NOON - timedelta(days=3))],
)
def test_objects_are_the_querysets_model_instances_for_each_set_of_values(site, language, now):
    older, newer = site
    query = Prepared(lambda: visible_in(**params(but_key=True)).defer("body"))
    values = {"language": language, "now": now, "key": older.translation_key}
    expected = list(visible_in(language, now, older.translation_key).defer("body"))

    found = query.objects(**values)

    assert [(post.pk, post.title, post.has_picks, post.publish_at) for post in found] == [
        (post.pk, post.title, post.has_picks, post.publish_at) for post in expected
    ]
    assert all(isinstance(post, Post) and "body" in post.get_deferred_fields() for post in found)


def test_rows_are_the_querysets_values_list_with_its_types(site):
    query = Prepared(lambda: visible_in(**params()).values_list("translation_key", "publish_at", "has_picks"))
    rows = query.rows(language="en", now=NOON)
    assert rows == list(visible_in("en", NOON).values_list("translation_key", "publish_at", "has_picks"))
    assert rows[0].translation_key == site[1].translation_key
    assert rows[0].has_picks is True


def test_related_rows_come_with_their_objects(site):
    older, newer = site
    query = Prepared(lambda: PostAuthor.objects.filter(post=Param("post", Post._meta.pk)).select_related("author"))
    [byline] = query.objects(post=newer.pk)
    assert byline.author == newer.bylines.get().author


def test_each_shape_is_built_and_compiled_once(site):
    built = []

    def build(count):
        built.append(count)
        ids = [Param(f"post{index}", Post._meta.pk) for index in range(count)]
        return Post.objects.filter(pk__in=ids).values_list("title", flat=False)

    query = Prepared(build)
    older, newer = site
    assert query.rows(1, post0=older.pk) == [("Older",)]
    assert sorted(query.rows(2, post0=older.pk, post1=newer.pk)) == [("Newer",), ("Older",)]
    assert query.rows(1, post0=newer.pk) == [("Newer",)]
    assert built == [1, 2]


def test_an_in_list_of_nothing_is_no_rows_and_no_query():
    query = Prepared(lambda count: Post.objects.filter(pk__in=[Param(f"post{n}", Post._meta.pk) for n in range(count)]))
    with CaptureQueriesContext(connection) as queries:
        assert query.objects(0) == []
    assert not queries


def test_shapes_are_bounded(monkeypatch):
    monkeypatch.setattr(prepared, "MAX_SHAPES", 3)
    query = Prepared(lambda offset: Post.objects.values_list("pk")[offset : offset + 1])
    for offset in range(10):
        query.rows(offset)
    assert len(query.shapes) <= 3


def test_expressions_on_joined_columns(site):
    tag = make_tag(name="career")
    author = make_author(name="Hanako")
    post = make_post(title="Tagged", tags=[tag], authors=[author], publish_at=NOON)
    query = Prepared(
        lambda: Post.tags.through.objects.filter(post=Param("post", Post._meta.pk))
        .annotate(name=F("tag__name"))
        .values_list("tag", "name")
    )
    assert query.rows(post=post.pk) == [(tag.pk, "career")]
