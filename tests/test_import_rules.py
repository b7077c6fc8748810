"""Which modules may import which, read from the source (ast), so a new import that breaks a rule fails here."""

import ast
from pathlib import Path

BLOG = Path(__file__).resolve().parent.parent / "blog"


def imports_of(path):
    """(line, module) of every import in the file at `path`; `from x import y` gives x.y as well as x."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def modules_under(folder):
    return sorted((BLOG / folder).rglob("*.py"))


def test_the_reading_side_never_imports_the_editing_side():
    """Editing builds on reading (the preview is the post page); reading serves pages and knows nothing of editors."""
    crossings = [
        f"{path.relative_to(BLOG.parent)}:{line} imports {module}"
        for path in modules_under("reading")
        for line, module in imports_of(path)
        if module == "blog.editing" or module.startswith("blog.editing.")
    ]
    assert crossings == []
