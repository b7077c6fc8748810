"""What an import tells the person who ran it: a line per file and the warnings gathered on the way.

Every other module of the importer writes into one ImportReport, and `ImportFailure` is how any of them
says "this file cannot be imported, and here is why"; both live apart from the work itself so that
the command, the demo loader and the tests read results without depending on how they were produced.
"""

from dataclasses import dataclass, field


class ImportFailure(Exception):
    """This file cannot be imported; the message is the reason shown to the person importing."""


@dataclass
class FileResult:
    path: str
    outcome: str  # created, updated, skipped or failed
    detail: str = ""


@dataclass
class ImportReport:
    dry_run: bool = False
    results: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    files_copied: int = 0

    def count(self, outcome):
        return sum(1 for result in self.results if result.outcome == outcome)

    created = property(lambda self: self.count("created"))
    updated = property(lambda self: self.count("updated"))
    skipped = property(lambda self: self.count("skipped"))
    failed = property(lambda self: self.count("failed"))

    def failures(self):
        return [result for result in self.results if result.outcome == "failed"]
