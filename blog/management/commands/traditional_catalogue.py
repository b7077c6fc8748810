"""`manage.py traditional_catalogue`: write the zh_Hant interface catalogue by converting the zh_Hans one.

The Traditional Chinese pages (blog.reading.traditional) speak Traditional Chinese; their catalogue is the
Simplified one through OpenCC (blog.rendering.traditional), regenerated whenever zh_Hans changes and checked in
with its .mo (`manage.py compilemessages`), so nothing is converted at run time.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from blog.rendering import traditional

CATALOGUE = Path("LC_MESSAGES") / "django.po"
NOTICE = "# Generated from zh_Hans by `manage.py traditional_catalogue` (OpenCC s2twp): edit zh_Hans, not this file.\n"


def converted_catalogue(simplified):
    """The text of a .po file with its translations (msgstr and their continuation lines) in Traditional."""
    lines, in_translation = [NOTICE], False
    for line in simplified.splitlines(keepends=True):
        if line.startswith("msgstr"):
            in_translation = True
        elif not line.startswith('"'):
            in_translation = False
        lines.append(traditional.text(line) if in_translation else line)
    return "".join(lines).replace('"Language: zh_Hans\\n"', '"Language: zh_Hant\\n"')


def locale_dir():
    return Path(settings.LOCALE_PATHS[0])


class Command(BaseCommand):
    help = "Write blog/locale/zh_Hant/LC_MESSAGES/django.po from the zh_Hans catalogue, converted with OpenCC."

    def handle(self, *args, **options):
        target = locale_dir() / "zh_Hant" / CATALOGUE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(converted_catalogue((locale_dir() / "zh_Hans" / CATALOGUE).read_text("utf-8")), "utf-8")
        self.stdout.write(f"Wrote {target}; now run compilemessages.")
