"""The package has no import circle: every module of newscrawl/ can be read bottom-up.

The graph is built from the source (ast), imports inside functions included: an import
moved into a function only to dodge a cycle is still a cycle here. Run it on another
tree with ``python -m tests.test_layout PATH/newscrawl``.
"""

from __future__ import annotations

import ast
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"


def module_names(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (a package is its __init__)."""
    names = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(name: str, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> set[str]:
    """The project modules one import statement in module ``name`` loads."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:  # relative: from the importing module's package
        package = name if modules[name].name == "__init__.py" else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:  # `from newscrawl.text import cleaning`
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the project modules it imports, wherever in the module the import is.

    An import of one of the module's own parent packages is left out: Python runs a
    package's __init__ before any module inside it, so that edge orders nothing (and
    :func:`test_package_inits_import_no_children` keeps it so).
    """
    modules = module_names(package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _imported(name, node, modules)
        graph[name] = {t for t in edges if t != name and not name.startswith(f"{t}.")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        return list(error.args[1])
    return None


def test_find_cycle_sees_a_circle_through_an_import_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import helper\n")
    (package / "b.py").write_text("def helper() -> None:\n    from pkg import a\n")
    (package / "c.py").write_text("from . import a\n")
    graph = import_graph(package)
    assert graph["pkg.c"] == {"pkg.a"}
    cycle = find_cycle(graph)
    assert cycle is not None and set(cycle) == {"pkg.a", "pkg.b"}


def test_newscrawl_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "newscrawl.distributed.config" in graph  # the graph did read the package
    assert graph["newscrawl.storage.stores"] >= {"newscrawl.storage.state"}
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def test_package_inits_import_no_children() -> None:
    """A package's __init__ imports none of its own modules when it runs (lazy
    attributes and TYPE_CHECKING imports are fine), so leaving out the edge from a
    module to its parent package in the graph hides nothing."""
    modules = module_names(PACKAGE)
    for name, path in modules.items():
        if path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            for inner in ast.walk(node) if not isinstance(node, ast.FunctionDef) else ():
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    imported = _imported(name, inner, modules)
                    children = {m for m in imported if m.startswith(f"{name}.")}
                    assert not children, f"{path} imports {children} when it runs"


if __name__ == "__main__":
    cycle = find_cycle(import_graph(Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE))
    print("no cycle" if cycle is None else " -> ".join(cycle))
    sys.exit(1 if cycle else 0)
