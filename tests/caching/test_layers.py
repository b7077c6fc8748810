"""The import graph of blog/, read from the source: no circles, and the cache package stays below the sides.

Every `import` and `from … import` counts, at module level or inside a function: an import put off to run
later still makes one module need the other. Importing a submodule also runs its package's __init__, which
is not counted as an arrow (it would make every package a circle with its own modules).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOG = ROOT / "blog"


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def blog_modules():
    """{dotted name: path} of every Python module under blog/, migrations included."""
    return {module_name(path): path for path in BLOG.rglob("*.py")}


def imported_names(tree, name, is_package):
    """Every dotted name the module `name` imports, with relative imports resolved and `from X import Y` as X.Y."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph():
    """{module: the blog modules it imports}: `from blog.reading import views` is an arrow to blog.reading.views,
    `from blog.caching import Shown` one to blog.caching."""
    modules = blog_modules()
    graph = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for imported in imported_names(ast.parse(path.read_text(), str(path)), name, is_package):
            # The longest prefix that is a module: blog.caching.Shown names a class in blog.caching.
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        graph[name] = targets
    return graph


def circles(graph):
    """The strongly connected groups of more than one module (Tarjan's algorithm), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def arrows(graph, source, targets):
    """Each `importer -> imported` from modules in package `source` to modules in any of packages `targets`."""

    def inside(name, package):
        return name == package or name.startswith(package + ".")

    return sorted(
        f"{importer} -> {imported}"
        for importer, imported_modules in graph.items()
        if inside(importer, source)
        for imported in imported_modules
        if any(inside(imported, target) for target in targets)
    )


def test_the_graph_is_read_from_the_source():
    """A guard for the tests below: a parser finding no arrows would pass them all."""
    graph = import_graph()
    assert "blog.caching" in graph["blog.reading.views"]
    assert "blog.caching.edge.outbox" in graph["blog.caching.generation"]
    assert "blog.models" in graph["blog.caching.edge.outbox"]


def test_no_module_under_blog_imports_itself_back_through_others():
    assert circles(import_graph()) == []


def test_the_cache_package_imports_nothing_of_the_editing_or_mail_sides():
    """Caching serves the reading side and is moved by content writes; the editor's screens and mail sit above it."""
    assert arrows(import_graph(), "blog.caching", ["blog.editing", "blog.mail"]) == []


def test_the_rest_of_blog_reaches_the_cache_package_only_through_its_public_face():
    """blog.caching's __init__ is its API (as Wagtail's frontend_cache.utils): its modules may change shape freely.

    BlogConfig.ready() connects the receivers through it too. Migrations name no cache module.
    """
    graph = import_graph()
    reaching_in = [
        arrow
        for arrow in arrows(graph, "blog", ["blog.caching"])
        if not arrow.startswith("blog.caching") and not arrow.endswith("-> blog.caching")
    ]
    assert reaching_in == []


def test_between_the_packages_of_blog_every_arrow_runs_one_way():
    """Seen from above, blog.reading -> blog.caching -> blog.models and so on: no two packages import each other."""

    def package(name):
        return ".".join(name.split(".")[:2])

    packages = {}
    for importer, imported_modules in import_graph().items():
        for imported in imported_modules:
            if package(importer) != package(imported):
                packages.setdefault(package(importer), set()).add(package(imported))
                packages.setdefault(package(imported), set())
    assert "blog.caching" in packages["blog.reading"] and "blog.models" in packages["blog.caching"]
    assert circles(packages) == []
