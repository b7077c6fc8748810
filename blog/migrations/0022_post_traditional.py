"""A Simplified Chinese essay's Traditional Chinese version (blog.rendering.traditional), stored like its HTML.

Existing Simplified Chinese essays are converted here, from their stored HTML, so their /zh-hant/ pages (which
other versions name as alternates) have text before `rerender_posts` next runs (RENDERER_VERSION 7 marks every
post stale).
"""

from django.db import migrations, models

from blog.rendering import phrases, traditional


def convert(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    fields = ["title", "body_html", "toc_html", "feed_html", "excerpt"]
    posts = list(Post.objects.filter(language="zh-hans").only(*fields))
    for post in posts:
        post.traditional_title = traditional.text(post.title)
        post.traditional_title_html = phrases.title_html(post.traditional_title, traditional.LANGUAGE)
        post.traditional_body_html = traditional.html(post.body_html)
        post.traditional_toc_html = traditional.html(post.toc_html)
        post.traditional_feed_html = traditional.html(post.feed_html)
        post.traditional_excerpt = traditional.text(post.excerpt)
    converted = [
        f"traditional_{field}" for field in ["title", "title_html", "body_html", "toc_html", "feed_html", "excerpt"]
    ]
    Post.objects.bulk_update(posts, converted, batch_size=200)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0021_tag_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="traditional_body_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="traditional_excerpt",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="traditional_feed_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="traditional_title",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="post",
            name="traditional_title_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="traditional_toc_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
    ]
