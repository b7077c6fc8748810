"""`manage.py import_markdown PATH...`: a thin shell over blog.portability.importer.import_paths."""

from django.core.management.base import BaseCommand, CommandError

from blog.portability.importer import import_paths


class Command(BaseCommand):
    help = "Import Markdown posts with YAML/TOML front matter from files or Jekyll/Hugo folders."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="A Markdown file, a folder, or a Jekyll/Hugo site."
        )
        parser.add_argument("--lang", help="Language of posts whose front matter names none (ja, zh-hans, en).")
        parser.add_argument("--author", help="Author (slug or name) of posts whose front matter names none.")
        parser.add_argument("--site-url", help="The old site's address, so absolute links to its files are copied.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, **options):
        try:
            report = import_paths(
                paths=options["paths"],
                language=options["lang"],
                author=options["author"],
                site_url=options["site_url"],
                dry_run=options["dry_run"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        write_report(self, report, verbosity=options["verbosity"])
        if report.failed:
            raise CommandError(f"{report.failed} file(s) could not be imported.")


def write_report(command, report, *, verbosity=1):
    """One line per file (failures always, the rest at -v 2), warnings, then the counts."""
    for result in report.results:
        line = f"{result.outcome}: {result.path}" + (f" ({result.detail})" if result.detail else "")
        if result.outcome == "failed":
            command.stderr.write(line)
        elif verbosity >= 2:
            command.stdout.write(line)
    for warning in report.warnings:
        command.stderr.write(f"warning: {warning}")
    prefix = "Dry run, nothing written. Would have: " if report.dry_run else ""
    command.stdout.write(
        f"{prefix}{report.created} created, {report.updated} updated, {report.skipped} skipped, "
        f"{report.failed} failed; {report.files_copied} media file(s) copied."
    )
