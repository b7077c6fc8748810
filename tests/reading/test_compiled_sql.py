"""Prepared queries and month hops give what their querysets give, for any values, on SQLite and PostgreSQL alike,
and the public ORM path they fall back to gives the same results."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Exists, F, Model, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import compiled_sql
from blog.compiled_sql import Param, Prepared, months_holding
from blog.models import Post, PostAuthor, RelatedPost
from blog.reading import queries
from tests.factories import make_author, make_post, make_tag, make_translation

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
    query = Prepared(
        lambda: visible_in(**params()).values_list("translation_key", "publish_at", "has_picks", named=True)
    )
    rows = query.rows(language="en", now=NOON)
    assert rows == list(visible_in("en", NOON).values_list("translation_key", "publish_at", "has_picks"))
    assert rows[0].translation_key == site[1].translation_key
    assert rows[0].has_picks is True


def test_related_rows_come_with_their_objects(site):
    older, newer = site
    query = Prepared(lambda: PostAuthor.objects.filter(post=Param("post", Post._meta.pk)).select_related("author"))
    [byline] = query.objects(post=newer.pk)
    assert byline.author == newer.bylines.get().author


def test_this_django_has_the_private_api_the_compiled_sql_uses():
    """Fails first under `make test-django-next` when a release changes it: pages then run through the public ORM
    (slower, same results) until blog.compiled_sql is brought up to date."""
    assert compiled_sql.PRIVATE_API_PRESENT


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
    monkeypatch.setattr(compiled_sql, "MAX_SHAPES", 3)
    query = Prepared(lambda offset: Post.objects.values_list("pk")[offset : offset + 1])
    for offset in range(10):
        query.rows(offset)
    assert len(query.shapes) <= 3


def test_expressions_on_joined_columns(site):
    tag = make_tag(name="career")
    author = make_author(name="Hanako")
    post = make_post(title="Tagged", tags=[tag], authors=[author], publish_at=NOON)
    query = Prepared(
        lambda: (
            Post.tags.through.objects.filter(post=Param("post", Post._meta.pk))
            .annotate(name=F("tag__name"))
            .values_list("tag", "name")
        )
    )
    assert query.rows(post=post.pk) == [(tag.pk, "career")]


# ---- the same reads through the compiled SQL and through the public ORM


def plain(result):
    """`result` as comparable values: model instances as their class and loaded fields (with related objects and
    annotations), named tuples with their names."""
    if isinstance(result, Model):
        loaded = {name: value for name, value in vars(result).items() if not name.startswith("_")}
        related = {name: plain(value) for name, value in result._state.fields_cache.items()}
        return type(result).__name__, loaded, related
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return dict(zip(result._fields, map(plain, result), strict=True))
    if isinstance(result, dict):
        return {key: plain(value) for key, value in result.items()}
    if isinstance(result, list | tuple):
        return [plain(item) for item in result]
    return result


@pytest.fixture
def essays():
    """Essays in three languages over three months, with tags, bylines, links, picks and a Simplified Chinese one."""
    writer, translator = make_author("佐藤"), make_author("Jane")
    career, kyoto = make_tag("キャリア"), make_tag("京都")
    first = make_post(language="ja", title="研究室を去る", tags=[career], authors=[writer], publish_at=NOON)
    make_translation(first, language="en", title="Leaving the lab", translators=[translator], publish_at=NOON)
    second = make_post(
        language="ja", title="京都の冬", tags=[career, kyoto], publish_at=NOON - timedelta(days=40),
        links=[{"title": "Notes", "url": "https://example.org/notes"}], related=[first],
    )  # fmt: skip
    make_translation(second, language="zh-hans", title="京都的冬天", publish_at=NOON - timedelta(days=39))
    make_post(language="en", title="Only English", tags=[kyoto], publish_at=NOON - timedelta(days=75))
    make_post(language="en", title="June in Tokyo, May in UTC", publish_at=datetime(2024, 5, 31, 20, tzinfo=UTC))
    make_post(language="en", title="Draft", status=Post.Status.DRAFT)
    return {"first": first, "second": second, "career": career, "writer": writer}


def site_reads(essays):
    """Every prepared read of the public pages, and the archive's months, for a few languages and subjects."""
    first, second = essays["first"], essays["second"]
    found = {}
    for language in ("ja", "en", "zh-hans"):
        for written_in in (None, "ja"):
            for relation, subject in ((None, None), ("tags", essays["career"]), ("authors", essays["writer"])):
                page = queries.EssayList(language, written_in, relation, subject)[0:3]
                found[language, written_in, relation] = (page, queries.bylines_and_tags(page, language))
                found["feed", language, written_in, relation] = queries.feed_entries(
                    relation, bool(written_in), 5, written_in or language, subject
                )
        found["months", language] = months_holding(Post.objects.published().one_per_essay(language))
        with timezone.override("Asia/Tokyo"):
            found["months in Tokyo", language] = months_holding(Post.objects.published().one_per_essay(language))
        found["tag", language] = queries.subject_or_404("tags", essays["career"].slug, language)
    for post in (first, second):
        [version] = [version for version in queries.essay_versions("ja", post.slug) if version.language == "ja"]
        tags = queries.tags_of(version)
        found["page", post.pk] = (
            queries.essay_versions("ja", post.slug), queries.authors_of(version), tags,
            queries.related_links_of(version), queries.related_posts(version, tags, "en"),
            queries.cited_post_or_404("ja", post.slug),
        )  # fmt: skip
    found["versions"] = queries.published_versions([first, second])
    found["traditional"] = queries.traditional_feed_entries(5)
    return plain(found)


def test_the_public_orm_path_reads_what_the_compiled_sql_reads(essays, settings, time_machine):
    time_machine.move_to(NOON + timedelta(hours=1))
    settings.BUNKO_COMPILED_SQL = True
    compiled = site_reads(essays)
    settings.BUNKO_COMPILED_SQL = False
    through_orm = site_reads(essays)
    assert through_orm == compiled
    assert compiled["months", "ja"] and compiled["page", essays["second"].pk][4]  # the reads found something


def test_without_the_private_api_reads_go_through_the_public_orm(essays, monkeypatch, time_machine):
    """What a Django release that renamed the compiler's internals gets: the same pages, no compiled query."""
    time_machine.move_to(NOON + timedelta(hours=1))
    compiled = site_reads(essays)
    monkeypatch.setattr(compiled_sql, "PRIVATE_API_PRESENT", False)
    query = Prepared(lambda: Post.objects.filter(language=Param("language", Post._meta.get_field("language"))))
    assert [post.title for post in query.objects(language="zh-hans")] == ["京都的冬天"]
    assert query.shapes == {}
    assert site_reads(essays) == compiled
