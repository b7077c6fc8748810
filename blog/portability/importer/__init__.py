"""Import Markdown posts with front matter (a Jekyll or Hugo site, or a plain folder) into Bunko.

Each file becomes one Post, matched on later imports by its path inside the site (or by slug and
language), so importing again updates instead of duplicating. Each file is written in its own
transaction: a broken file is reported with its reason and leaves nothing behind, and the rest go on.
Relations that point at other files (related posts, translations, Liquid `{% link %}`) are resolved
in a second pass, so they work whatever order the files come in. The work is split by job: sites
(which generator, which config), fields (front matter into values), assets (local files into media),
redirects (old URLs), entry (one file read and checked), datafiles (authors.yaml, tags.yaml), posts
(one entry written), relations (the second pass), run (the order of it all) and report (the outcome).
This package keeps the names callers imported from the single module it replaced.
"""

from blog.portability.importer.entry import Entry
from blog.portability.importer.fields import detect_language, normalize_language, translation_key_from
from blog.portability.importer.posts import snapshot
from blog.portability.importer.report import FileResult, ImportFailure, ImportReport
from blog.portability.importer.run import import_paths
from blog.portability.importer.sites import SiteInfo, discover

__all__ = [
    "Entry",
    "FileResult",
    "ImportFailure",
    "ImportReport",
    "SiteInfo",
    "detect_language",
    "discover",
    "import_paths",
    "normalize_language",
    "snapshot",
    "translation_key_from",
]
