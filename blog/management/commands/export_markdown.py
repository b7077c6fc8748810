"""`manage.py export_markdown DIR`: a thin shell over blog.portability.exporter.export_all."""

from django.core.management.base import BaseCommand

from blog.portability.exporter import export_all


class Command(BaseCommand):
    help = "Write every post as Markdown with front matter, plus media files, authors.yaml and tags.yaml."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="Folder to write into (created if missing).")

    def handle(self, *args, **options):
        report = export_all(directory=options["directory"])
        self.stdout.write(
            f"Exported {report.posts} post(s), {report.authors} author(s), {report.tags} tag(s) and "
            f"{report.media_files} media file(s) to {report.directory}."
        )
