"""Search reads `search_text` (the body with ruby as base text and readings) instead of `body`.

Until `rerender_posts` fills it (RENDERER_VERSION 6 marks every post stale), it is the body itself,
which is what search read before: no post written earlier has ruby. The bigram index (0007) follows.
"""

from django.db import migrations, models
from django.db.models import F


def index_on(fields):
    columns = ", ".join(f'"{field}"' for field in fields)

    def reindex(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute('DROP INDEX IF EXISTS "blog_post_search_bigrams"')
        schema_editor.execute(
            f'CREATE INDEX "blog_post_search_bigrams" ON "blog_post" USING gin (blog_search_bigrams({columns}))'
        )

    return reindex


def copy_body(apps, schema_editor):
    apps.get_model("blog", "Post").objects.update(search_text=F("body"))


class Migration(migrations.Migration):
    dependencies = [("blog", "0013_edge_purges")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(copy_body, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            index_on(["title", "summary", "search_text"]), index_on(["title", "summary", "body"]), elidable=False
        ),
    ]
