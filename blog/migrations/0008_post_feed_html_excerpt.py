from django.db import migrations, models


class Migration(migrations.Migration):
    """Feeds print stored HTML and excerpts; `manage.py rerender_posts` fills them (RENDERER_VERSION moved to 4)."""

    dependencies = [
        ("blog", "0007_search_bigrams"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="feed_html",
            field=models.TextField(blank=True, default="", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="post",
            name="excerpt",
            field=models.TextField(blank=True, default="", editable=False),
            preserve_default=False,
        ),
    ]
