"""The shape of the code: no service imports a view, and modules form no import cycle.

Every import in a file counts, also one inside a function: a deferred import is still a
dependency, it only hides the cycle from Python."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fanwen"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {
        module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts and "__pycache__" not in p.parts
    }


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The fanwen modules a file imports (``from a import b`` names a.b when b is a module)."""
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(n for n in names if n in modules)
    found.discard(module_name(path))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def is_view(name: str) -> bool:
    return name.rpartition(".")[2].startswith("views")


def is_service_or_selector(name: str) -> bool:
    parts = name.split(".")
    return any(p.startswith(("services", "selectors")) for p in parts[1:])


def test_the_graph_sees_deferred_imports():
    graph = import_graph()
    assert "fanwen.library.models" in graph["fanwen.access.gate"]
    assert "fanwen.search.engine" in graph["fanwen.search.selectors"]


def test_no_service_or_selector_imports_a_view():
    graph = import_graph()
    offenders = {
        name: sorted(v for v in deps if is_view(v))
        for name, deps in graph.items()
        if is_service_or_selector(name) and any(is_view(v) for v in deps)
    }
    assert offenders == {}


def test_search_does_not_import_library_services_or_views():
    graph = import_graph()
    offenders = {
        name: sorted(deps & {"fanwen.library.services", "fanwen.library.views"})
        for name, deps in graph.items()
        if name.startswith("fanwen.search.") and deps & {"fanwen.library.services", "fanwen.library.views"}
    }
    assert offenders == {}


def test_no_import_cycle_between_modules():
    assert cycles(import_graph()) == []


# App level: the apps that hold documents, reading rights and money are layered —
#   commerce → access → library,  commerce → library,  search → library
# (an arrow: "may import").  Interface modules (views, admin, management commands, feeds,
# sitemaps, template tags) are where apps meet, like urls.py: a library view asks the gate,
# the library admin's 赠送/侵权下架 actions call commerce services.  Everything else — models,
# services, selectors, the gate, the indexer — forms no cycle between apps.
LAYERED_APPS = {"library", "access", "commerce", "search"}
INTERFACE_PARTS = {"admin", "management", "feeds", "sitemaps", "templatetags"}


def app_of(name: str) -> str:
    return name.split(".")[1] if name.count(".") >= 1 else name


def is_interface(name: str) -> bool:
    parts = name.split(".")[2:]
    return any(p.startswith("views") or p in INTERFACE_PARTS for p in parts)


def app_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """App → apps it imports, counting only non-interface modules of the layered apps."""
    apps: dict[str, set[str]] = {app: set() for app in LAYERED_APPS}
    for name, deps in graph.items():
        if app_of(name) not in LAYERED_APPS or is_interface(name):
            continue
        apps[app_of(name)].update(app_of(d) for d in deps if app_of(d) in LAYERED_APPS - {app_of(name)})
    return apps


def test_the_app_graph_is_computed_from_the_imports():
    apps = app_graph(import_graph())
    assert {"access", "library"} <= apps["commerce"]
    assert "library" in apps["access"]
    assert "library" in apps["search"]


def test_no_cycle_between_library_access_commerce_and_search():
    assert cycles(app_graph(import_graph())) == []


def test_library_knows_nothing_of_buyers():
    """Library models, services and selectors import neither commerce nor access; of the
    interface modules, views may ask the gate (and mark the entitled reader's copy), and the admin's staff actions (赠送, 侵权下架)
    go through commerce services."""
    allowed = {
        "fanwen.library.views": {"fanwen.access.gate", "fanwen.access.fingerprints"},
        "fanwen.library.admin": {"fanwen.commerce.services", "fanwen.commerce.services.takedowns"},
    }
    offenders = {
        name: sorted(bad)
        for name, deps in import_graph().items()
        if app_of(name) == "library"
        and (bad := {d for d in deps if app_of(d) in {"access", "commerce"}} - allowed.get(name, set()))
    }
    assert offenders == {}


def test_access_imports_nothing_from_commerce():
    """Commerce grants and revokes through access, never the other way round."""
    offenders = {
        name: sorted(d for d in deps if app_of(d) == "commerce")
        for name, deps in import_graph().items()
        if app_of(name) == "access" and any(app_of(d) == "commerce" for d in deps)
    }
    assert offenders == {}
