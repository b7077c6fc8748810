"""Two texts derived on save: `search_text`, which search reads instead of `body`, and `title_html`.

`search_text` is the prose search reads and quotes (furniture left out, ruby as base text, readings after);
`title_html` the escaped title with phrase breaks in Japanese and Chinese. Until `rerender_posts` recomputes them (a new RENDERER_VERSION marks every
post stale) they are the body and the escaped title, what readers and search had before: no earlier post
has ruby. The bigram index (0007) follows search to `search_text`.
"""

from django.db import migrations, models
from django.db.models import F
from django.utils.html import escape


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
    Post = apps.get_model("blog", "Post")
    Post.objects.update(search_text=F("body"))
    posts = list(Post.objects.only("title"))
    for post in posts:
        post.title_html = escape(post.title)
    Post.objects.bulk_update(posts, ["title_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("blog", "0016_subscriptions")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="title_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(
            index_on(["title", "summary", "search_text"]), index_on(["title", "summary", "body"]), elidable=False
        ),
    ]
