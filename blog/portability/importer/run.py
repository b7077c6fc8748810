"""One import from start to end: the two passes over the files, each file in its own transaction.

This is the only module that knows the order of the work: for each path given, find its site, read
its authors and tags, then read and write each file; once every file is in, make the links between
them. Keeping the order here (and the rules in the other modules) is what lets a broken file fail
alone while the rest go on, and lets a dry run be the real import rolled back.
"""

from pathlib import Path

from django.db import DatabaseError, transaction

from blog.caching import changes_together
from blog.models import Post
from blog.portability.importer.assets import Assets
from blog.portability.importer.datafiles import import_data_files
from blog.portability.importer.entry import read_entry
from blog.portability.importer.fields import normalize_language
from blog.portability.importer.posts import KEPT, save_entry
from blog.portability.importer.relations import resolve_relations
from blog.portability.importer.report import FileResult, ImportFailure, ImportReport
from blog.portability.importer.sites import discover


def import_paths(*, paths, language=None, author=None, site_url=None, dry_run=False, update_existing=True):
    """Import every Markdown post under `paths`; return counts and a line per file.

    With `update_existing=False` posts, authors and tags already in the database are left as they
    are (the demo loader uses this, so `make run` never reverts an editor's changes).
    """
    importer = _Importer(
        language=language, author=author, site_url=site_url, dry_run=dry_run, update_existing=update_existing
    )
    if not dry_run:
        return importer.run(paths)
    # A dry run does the real work inside one transaction and rolls it back; no media is written.
    with transaction.atomic():
        report = importer.run(paths)
        transaction.set_rollback(True)
    return report


class _Importer:
    """The options of one import and the report it fills, handed to each step as it needs them."""

    def __init__(self, *, language, author, site_url, dry_run, update_existing):
        self.language = normalize_language(language) if language else None
        if language and not self.language:
            raise ValueError(f"Unknown language {language!r}; use ja, zh-hans or en.")
        self.default_author = author
        self.update_existing = update_existing
        self.report = ImportReport(dry_run=dry_run)
        self.assets = Assets(site_url=(site_url or "").rstrip("/"), dry_run=dry_run, report=self.report)

    def run(self, paths):
        imported = []  # (entry, post, result) for the second pass
        for given in paths:
            given = Path(given)
            if not given.exists():
                self.report.results.append(FileResult(str(given), "failed", "no such file or folder"))
                continue
            site, files = discover(given)
            import_data_files(
                site, update_existing=self.update_existing, assets=self.assets, results=self.report.results
            )
            for path in files:
                imported.extend(self._import_file(site, path))
        for entry, post, result in imported:
            resolve_relations(entry, post, result, self.report.warnings)
        return self.report

    def _import_file(self, site, path):
        display = str(path)
        try:
            entry = read_entry(
                site,
                path,
                default_language=self.language,
                default_author=self.default_author,
                assets=self.assets,
                warnings=self.report.warnings,
            )
            with changes_together():  # the file's post, bylines, tags and links move the cache state once
                post, outcome, detail = save_entry(
                    entry, update_existing=self.update_existing, assets=self.assets, warnings=self.report.warnings
                )
        except (ImportFailure, DatabaseError) as exc:
            self.report.results.append(FileResult(display, "failed", str(exc)))
            return []
        result = FileResult(display, outcome, detail)
        self.report.results.append(result)
        if detail == KEPT:
            return []  # not touched, so neither are its relations
        if outcome == "skipped":
            post = Post.objects.get(pk=post.pk)  # the rolled-back instance holds no more than the database
        return [(entry, post, result)]
