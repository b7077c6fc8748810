"""What makes an essay citable: a DOI and a version date per post, a romanised name per author, checked ORCID iDs."""

import blog.content.identifiers
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0011_writing_room"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="romanized_name",
            field=models.CharField(
                blank=True,
                help_text="In Latin letters, for English-language references: Hanako Sato (given name first) or Sato, Hanako.",
                max_length=200,
                verbose_name="romanised name",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="doi",
            field=models.CharField(
                blank=True,
                help_text="A DOI minted for this essay (e.g. through Zenodo), like 10.5281/zenodo.1234567.",
                max_length=200,
                validators=[blog.content.identifiers.validate_doi],
                verbose_name="DOI",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="revised_on",
            field=models.DateField(
                blank=True,
                help_text=(
                    "The date of the last substantial revision; references cite it as the version. Saving a "
                    "published essay's changed text sets it to today, unless the change is marked minor."
                ),
                null=True,
                verbose_name="version date",
            ),
        ),
        migrations.AlterField(
            model_name="author",
            name="orcid",
            field=models.CharField(
                blank=True,
                help_text="Like 0000-0002-1825-0097.",
                max_length=19,
                validators=[blog.content.identifiers.validate_orcid],
                verbose_name="ORCID iD",
            ),
        ),
    ]
