"""Beside the content generation: the next scheduled publication time and the months lists link to; the versions the page cache checks."""

import uuid

from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone


def record_next_publication(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    upcoming = Post.objects.filter(status="published", publish_at__gt=timezone.now()).aggregate(first=Min("publish_at"))
    apps.get_model("blog", "ContentGeneration").objects.filter(pk=1).update(next_publish_at=upcoming["first"])


def create_permanent_versions(apps, schema_editor):
    # Every cached page depends on these two (blog.conditional.current_tokens reads the generation through them).
    ContentVersion = apps.get_model("blog", "ContentVersion")
    ContentVersion.objects.bulk_create([ContentVersion(key="everything"), ContentVersion(key="lists")], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_post_feed_html_excerpt"),
    ]

    operations = [
        migrations.AddField(
            model_name="contentgeneration",
            name="next_publish_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="contentgeneration",
            name="months",
            field=models.JSONField(default=dict),
        ),
        migrations.RunPython(record_next_publication, migrations.RunPython.noop, elidable=False),
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("key", models.CharField(max_length=80, primary_key=True, serialize=False)),
                ("token", models.UUIDField(default=uuid.uuid4)),
            ],
        ),
        migrations.RunPython(create_permanent_versions, migrations.RunPython.noop, elidable=False),
    ]
