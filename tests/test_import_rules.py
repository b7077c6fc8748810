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


# Django's internals: what its documentation does not promise to keep. blog.compiled_sql uses some (and
# falls back to the public ORM without them); nothing else may.
FENCED = BLOG / "compiled_sql.py"
PRIVATE_MODULES = ("django.db.models.sql", "django.utils.translation.trans_real", "django.db.models.query_utils")
PRIVATE_NAMES = {"get_related_populators", "create_namedtuple_class", "RelatedPopulator"}
# The compiler's and the Query's workings, and private methods Bunko once called.
PRIVATE_ATTRIBUTES = {
    "get_compiler", "klass_info", "apply_converters", "get_converters", "annotation_col_map", "values_select",
    "annotation_select", "extra_select", "_should_delete_form",
}  # fmt: skip


def private_uses(path):
    """(line, what) of each import or attribute of Django's internals in the file at `path`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
            found.append((node.lineno, f".{node.attr}"))
    for line, module in imports_of(path):
        if not module.startswith("django."):
            continue
        parts = module.split(".")
        private_part = any(part.startswith("_") and not part.startswith("__") for part in parts)
        if private_part or module.startswith(PRIVATE_MODULES) or parts[-1] in PRIVATE_NAMES:
            found.append((line, module))
    return found


def test_only_the_fenced_module_uses_djangos_private_api():
    uses = [
        f"{path.relative_to(BLOG.parent)}:{line} {what}"
        for path in sorted(BLOG.rglob("*.py"))
        if path != FENCED
        for line, what in private_uses(path)
    ]
    assert uses == []


def test_the_guard_sees_what_the_fenced_module_uses():
    """The fence is where the private API is: were the guard blind to it, the test above would prove nothing."""
    seen = {what for _line, what in private_uses(FENCED)}
    assert {"django.db.models.query.get_related_populators", ".klass_info", ".get_compiler"} <= seen
