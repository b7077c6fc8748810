"""Where the tests find the project, its test data and the shared corpora, wherever a test file sits."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"
