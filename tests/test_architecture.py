"""The import structure: no cycles, the domain free of the front ends' libraries, screens through services.

The graph (grimp, import-linter's library) holds every import of the source, those inside functions
too, but not those under ``if TYPE_CHECKING:`` (they never run).
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

# The domain: it must run without a terminal UI or a command line.
DOMAIN = (
    "avledger.services",
    "avledger.models",
    "avledger.burners",
    "avledger.errors",
    "avledger.present",
    "avledger.profile",
    "avledger.home",
    "avledger.identity",
    "avledger.timeutil",
    "avledger.vocab",
    "avledger.i18n",
    "avledger.digests",
    "avledger.fsutil",
    "avledger.plaintext",
)
FRONT_END_LIBRARIES = ("textual", "click")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        "avledger", include_external_packages=True, exclude_type_checking_imports=True, cache_dir=None
    )


def within(module: str, packages: Iterable[str]) -> bool:
    """``module`` is one of ``packages`` or inside one of them."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def import_cycles(graph: grimp.ImportGraph, packages: Iterable[str], *, skip: Iterable[str] = ()) -> list[list[str]]:
    """The import cycles among the modules of ``packages`` (but not of ``skip``): one list per cycle,
    naming its modules in import order and back to the first, e.g. ``[a, b, a]``.

    A cycle is found per strongly connected component (Tarjan), so modules caught in several
    overlapping cycles are reported once, through one of them.
    """
    packages, skip = tuple(packages), tuple(skip)
    nodes = sorted(m for m in graph.modules if within(m, packages) and not within(m, skip))
    inside = set(nodes)

    def imports(module: str) -> list[str]:
        return sorted(m for m in graph.find_modules_directly_imported_by(module) if m in inside)

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in nodes:  # iterative Tarjan: no recursion limit to worry about
        if root in index:
            continue
        work = [(root, iter(imports(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imports(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in imports(node):
                    components.append(sorted(component))
    return [_cycle_through(component, imports) for component in components]


def _cycle_through(component: list[str], imports) -> list[str]:
    """One concrete cycle through the first module of a strongly connected component (shortest, by BFS)."""
    start, members = component[0], set(component)
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in imports(node):
            if child not in members:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(component)  # pragma: no cover - a component always has a cycle


# --- the helper finds what it should -----------------------------------------------------------
def test_import_cycles_names_each_cycle():
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.e", "p.e"), ("q.x", "p.a")]:
        graph.add_import(importer=a, imported=b)
    assert import_cycles(graph, ["p", "q"]) == [["p.a", "p.b", "p.c", "p.a"], ["p.e", "p.e"]]
    assert import_cycles(graph, ["p"], skip=["p.b"]) == [["p.e", "p.e"]]
    assert import_cycles(graph, ["q"]) == []


# --- the contracts --------------------------------------------------------------------------
def test_no_import_cycle(graph):
    cycles = import_cycles(graph, ["avledger"])
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("library", FRONT_END_LIBRARIES)
def test_the_domain_does_not_import_the_front_ends_libraries(graph, library):
    """Not directly, nor through another module (e.g. a service importing a screen)."""
    assert library in graph.modules  # the front ends do import it: the check below can fail
    offenders = []
    for module in sorted(m for m in graph.modules if within(m, DOMAIN)):
        chain = graph.find_shortest_chain(importer=module, imported=library)
        if chain is not None:
            offenders.append(" -> ".join(chain))
    assert offenders == []


def test_screens_reach_the_register_through_services(graph):
    """No module of the TUI imports the models (peewee rows) directly."""
    offenders = sorted(
        f"{m} -> {imported}"
        for m in graph.modules
        if within(m, ["avledger.tui"])
        for imported in graph.find_modules_directly_imported_by(m)
        if within(imported, ["avledger.models"])
    )
    assert offenders == []


def test_services_are_built_in_one_place():
    """Only avledger.services.Services constructs a service; each service receives its siblings."""
    import avledger.services

    package = Path(avledger.services.__file__).parent
    trees = {path.name: ast.parse(path.read_text("utf-8")) for path in sorted(package.glob("*.py"))}
    services = {
        node.name
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.name.endswith(("Service", "Typesetter"))
    }
    assert {"StaffService", "AccessService", "PrintService", "Typesetter"} <= services
    offenders = sorted(
        f"services/{name}:{node.lineno} {node.func.id}()"
        for name, tree in trees.items()
        if name != "__init__.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in services
    )
    assert offenders == []
