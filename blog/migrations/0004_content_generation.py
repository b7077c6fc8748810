"""The content generation row (blog.models.ContentGeneration) that every visible write moves."""

from django.db import migrations, models


def create_generation_row(apps, schema_editor):
    apps.get_model("blog", "ContentGeneration").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0003_search_trigram"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunPython(create_generation_row, migrations.RunPython.noop, elidable=False),
    ]
