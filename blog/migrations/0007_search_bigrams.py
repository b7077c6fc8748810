"""A GIN index of a post's bigrams (pairs of adjacent characters), so PostgreSQL finds two-character words.

Most Japanese and Chinese words are two characters, and pg_trgm (migration 0003) cannot use its index
for a pattern shorter than three. blog.search asks this index for the bigrams of what the reader typed,
then checks the substring itself. ANALYZE keeps statistics of the bigrams, so the planner tells a common
word (read the newest posts until enough match) from a rare one (read its few posts from the index).
SQLite needs nothing: it scans.
"""

from django.db import migrations

# Upper-cased, as blog.search ignores case. Each text is paired on its own, so no bigram spans two
# fields. PL/pgSQL walks the characters once, where substr() in SQL would rescan a UTF-8 text from its
# start for every position. Duplicates stay: GIN drops them, and a row whose bigrams are checked
# outside the index (the newest posts, for a common word) is checked sooner.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION blog_search_bigrams(VARIADIC texts text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    text_ text;
    chars text[];
    bigrams text[] := '{}';
BEGIN
    FOREACH text_ IN ARRAY texts LOOP
        chars := string_to_array(upper(text_), NULL);
        FOR i IN 1 .. cardinality(chars) - 1 LOOP
            bigrams := bigrams || (chars[i] || chars[i + 1]);
        END LOOP;
    END LOOP;
    RETURN bigrams;
END
$$
"""


def create_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "blog_post_search_bigrams" '
        'ON "blog_post" USING gin (blog_search_bigrams("title", "summary", "body"))'
    )


def drop_bigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "blog_post_search_bigrams"')
    schema_editor.execute("DROP FUNCTION IF EXISTS blog_search_bigrams(VARIADIC text[])")


class Migration(migrations.Migration):
    dependencies = [("blog", "0006_post_status_updated_index")]

    operations = [migrations.RunPython(create_bigram_index, drop_bigram_index, elidable=False)]
