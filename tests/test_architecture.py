"""Architecture checks import-linter cannot make: the top-level ``worker.py``
script (it checks packages), and import circles between single modules (its
``acyclic_siblings`` contract checks folders against their siblings)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

WORKER_SCRIPT = Path(__file__).resolve().parents[1] / "worker.py"


def test_the_worker_script_imports_only_the_worker_process_of_the_data_layer() -> None:
    tree = ast.parse(WORKER_SCRIPT.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    # utvag.jobs.worker_process sits inside the data layer's contracts
    # (pyproject.toml): it cannot open sealed content or import the web apps.
    assert imported == {"utvag.jobs.worker_process"}


PRODUCT_PACKAGES = ("crypto", "utvag", "intake_web", "triage", "web_common")


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import each other round in a circle (the
    strongly connected components of the import graph, Tarjan's way)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in graph.modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_product_module_is_in_an_import_circle() -> None:
    """Every import counts, inside a function or under TYPE_CHECKING too: a
    circle hidden that way is still one. import-linter's acyclic_siblings
    contract checks folders; this checks single modules."""
    graph = grimp.build_graph(*PRODUCT_PACKAGES, cache_dir=None)
    assert len(graph.modules) > 100  # the whole product was read
    assert _circles(graph) == []


def test_the_circle_check_sees_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.three")
    graph.add_import(importer="a.three", imported="a.one")
    assert _circles(graph) == [["a.one", "a.three", "a.two"]]
