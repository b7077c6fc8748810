"""`search_text`, which search reads and quotes instead of the Markdown `body`: the prose without furniture.

Until `rerender_posts` recomputes it (RENDERER_VERSION 6 marks every post stale; `make run` runs it) it is the
body, what search read before. The bigram index (0007) follows search to `search_text`.
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


def fill(apps, schema_editor):
    apps.get_model("blog", "Post").objects.update(search_text=F("body"))


class Migration(migrations.Migration):
    dependencies = [("blog", "0013_edge_purges")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            index_on(["title", "summary", "search_text"]), index_on(["title", "summary", "body"]), elidable=False
        ),
    ]
