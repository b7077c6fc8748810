"""Trigram GIN indexes that serve blog.search's substring matches on PostgreSQL.

Django compiles `field__icontains` to `UPPER(field::text) LIKE UPPER(%s)` on PostgreSQL, so the
indexes are built on that same expression. SQLite has no pg_trgm and needs nothing: it scans.
"""

from django.db import migrations

SEARCHED_COLUMNS = ("title", "summary", "body")


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "blog_post_{column}_trgm" '
            f'ON "blog_post" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "blog_post_{column}_trgm"')


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_roles")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False)]
