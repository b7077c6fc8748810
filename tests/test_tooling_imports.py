"""The tests, the benchmark and the server harness they share stay apart, as the layout promises: bench/ and tests/
never import each other, the harness imports neither, no test module borrows from another, and the benchmark's
modules import one another in one direction only."""

import ast

import pytest

from tests.paths import ROOT

TOOLING = ("bench", "harness", "deploy", "tests")


def module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported(path):
    """Every module name the file imports, at any depth (imports inside functions count too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(package):
    return {module_name(path): imported(path) for path in sorted((ROOT / package).rglob("*.py"))}


def within(names, package):
    return sorted(name for name in names if name == package or name.startswith(package + "."))


@pytest.mark.parametrize(
    "package, forbidden", [("bench", ("tests",)), ("tests", ("bench",)), ("harness", ("bench", "tests"))]
)
def test_tests_and_the_benchmark_reach_each_other_only_through_the_harness(package, forbidden):
    found = {
        module: names
        for module, imports in modules(package).items()
        if (names := [name for other in forbidden for name in within(imports, other)])
    }
    assert found == {}


def test_no_test_module_imports_another_or_a_conftest():
    """Shared fixtures live in conftest.py, shared helpers in plain modules (factories.py, processes.py, ...)."""
    found = {
        module: borrowed
        for module, imports in modules("tests").items()
        if (borrowed := [name for name in imports if name.startswith("tests.") and is_test_module(name)])
    }
    assert found == {}


def is_test_module(name):
    return any(part.startswith("test_") or part == "conftest" for part in name.split(".")[1:])


@pytest.mark.parametrize("package", ["bench", "harness", "deploy"])
def test_the_tooling_has_no_import_circle(package):
    found = modules(package)
    graph = {module: set(within(imports, package)) & set(found) for module, imports in found.items()}
    assert circles(graph) == []


def circles(graph):
    """Each import circle once, as the modules along it (depth-first search over the import graph)."""
    found, done = [], set()

    def visit(module, path):
        if module in path:
            found.append(path[path.index(module) :] + [module])
            return
        if module in done:
            return
        for neighbour in sorted(graph.get(module, ())):
            visit(neighbour, path + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found
