"""Translation drift: each post's text fingerprint, and what each translation was made from and last matched.

Versions that existed before are taken as translations of their essay's first version, matching it as it is now:
nothing recorded which text they were made from, so none is called outdated until its source next changes.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

from blog.content.translation_drift import fingerprint, text_of


def record_existing_translations(apps, schema_editor):
    Post = apps.get_model("blog", "Post")
    now = timezone.now()
    first_of_essay = {}
    posts = Post.objects.order_by("created_at", "pk").only("pk", "translation_key", "title", "summary", "body")
    for post in posts.iterator(chunk_size=500):
        post.content_fingerprint = fingerprint(text_of(post))
        source = first_of_essay.setdefault(post.translation_key, post)
        updates = {"content_fingerprint": post.content_fingerprint}
        if source is not post:
            updates.update(
                translated_from=source,
                source_fingerprint=source.content_fingerprint,
                source_base=text_of(source),
                source_synced_at=now,
            )
        Post.objects.filter(pk=post.pk).update(**updates)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0009_content_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="content_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="text changed"),
        ),
        migrations.AddField(
            model_name="post",
            name="content_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="post",
            name="source_base",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="source text translated"),
        ),
        migrations.AddField(
            model_name="post",
            name="source_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="source fingerprint"),
        ),
        migrations.AddField(
            model_name="post",
            name="source_synced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="matched source at"),
        ),
        migrations.AddField(
            model_name="post",
            name="translated_from",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="translations_made",
                to="blog.post",
                verbose_name="translated from",
            ),
        ),
        migrations.RunPython(record_existing_translations, migrations.RunPython.noop),
    ]
