"""ContentVersion becomes ContentToken: "version" means a post's language version, and these rows hold tokens."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0022_post_traditional"),
    ]

    operations = [
        migrations.RenameModel(old_name="ContentVersion", new_name="ContentToken"),
    ]
