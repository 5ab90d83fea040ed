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
