"""Post.renderer_version becomes renderer_release: "version" means a post's language version, and this is the
renderer's release that made the stored HTML."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0024_tagname_slug"),
    ]

    operations = [
        migrations.RenameField(model_name="post", old_name="renderer_version", new_name="renderer_release"),
    ]
