"""Migration 0024 gives the names tags already have in other languages their slugs, as saving them would now."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("blog", "0023_rename_contentversion_contenttoken")]
AFTER = [("blog", "0024_tagname_slug")]


@pytest.fixture
def migrator():
    """A migration executor; the database is migrated forward again afterwards, for the tests that follow."""
    yield MigrationExecutor(connection)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_tag_names_get_slugs_in_their_language_that_lead_to_no_other_tag(migrator):
    migrator.migrate(BEFORE)
    old = migrator.loader.project_state(BEFORE).apps
    Tag, TagName = old.get_model("blog", "Tag"), old.get_model("blog", "TagName")
    career = Tag.objects.create(name="キャリア", slug="キャリア")
    Tag.objects.create(name="career", slug="career")  # another tag's own slug, which the English name would give
    for language, name in [("en", "Career"), ("zh-hans", "职业"), ("ja", "キャリア")]:
        TagName.objects.create(tag=career, language=language, name=name)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    slugs = dict(new.get_model("blog", "TagName").objects.values_list("language", "slug"))
    assert slugs == {"en": "career-2", "zh-hans": "职业", "ja": "キャリア"}
