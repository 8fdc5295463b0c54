"""The TUI's modules import downwards only: screens, then the actions they share, then the forms, then
widgets and text helpers. No circle, no models (screens go through the services), no module too long
to read."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

import avledger.tui

TUI = "avledger.tui"
MAX_LINES = 400

# Top to bottom: a module may import from its own layer's module or any layer below, never above.
LAYERS = [
    "app",
    "screens",
    "actions",
    "forms",
    "widgets",
    grimp.Layer("text", "auditfmt", "sections", "palette", independent=False),
]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Every import statement counts, those inside functions too.
    return grimp.build_graph("avledger")


def tui_modules(graph) -> set[str]:
    return {m for m in graph.modules if m == TUI or m.startswith(TUI + ".")}


def circles(graph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components (of more than one module) among ``modules``."""
    imports = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    reach: dict[str, set[str]] = {}
    for start in modules:
        seen, todo = set(), [start]
        while todo:
            for nxt in imports[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reach[start] = seen
    found = {frozenset(m2 for m2 in reach[m] if m in reach[m2]) for m in modules if m in reach[m]}
    return sorted(sorted(c) for c in found)


def test_the_circle_check_finds_a_circle():
    """So that finding none means something: a circle through a third module, and a module on its own."""
    graph = grimp.ImportGraph()
    for importer, imported in (("t.a", "t.b"), ("t.b", "t.c"), ("t.c", "t.a"), ("t.c", "t.d")):
        graph.add_import(importer=importer, imported=imported)
    assert circles(graph, set(graph.modules)) == [["t.a", "t.b", "t.c"]]


def test_no_import_circle_inside_the_tui(graph):
    assert circles(graph, tui_modules(graph)) == []


def test_layers_import_downwards_only(graph):
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS, containers={TUI})
    assert sorted(f"{d.importer} -> {d.imported}" for d in illegal) == []


def test_the_tui_does_not_import_the_models(graph):
    """Screens go through the services: no module of the TUI imports avledger.models (directly)."""
    offenders = sorted(
        f"{importer} -> {imported}"
        for importer in tui_modules(graph)
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported == "avledger.models" or imported.startswith("avledger.models.")
    )
    assert offenders == []


def test_no_tui_module_is_over_400_lines():
    root = Path(avledger.tui.__file__).parent
    long = {
        str(path.relative_to(root)): n
        for path in sorted(root.rglob("*.py"))
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
