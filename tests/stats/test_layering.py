"""stats reads library and commerce; none of them imports stats (the read counts reach it
through library.view_counts.views_flushed, connected in stats/apps.py)."""

from __future__ import annotations

from tests.test_import_graph import app_of, import_graph, is_interface


def test_no_domain_app_imports_stats_outside_its_interface_modules():
    offenders = {
        name: sorted(d for d in deps if app_of(d) == "stats")
        for name, deps in import_graph().items()
        if app_of(name) in {"library", "access", "commerce", "search", "accounts"}
        and not is_interface(name)
        and any(app_of(d) == "stats" for d in deps)
    }
    assert offenders == {}


def test_stats_writes_nothing_into_commerce():
    """The rollup reads commerce's models; it never calls a commerce service."""
    offenders = {
        name: sorted(d for d in deps if d.startswith("fanwen.commerce.services"))
        for name, deps in import_graph().items()
        if app_of(name) == "stats" and any(d.startswith("fanwen.commerce.services") for d in deps)
    }
    assert offenders == {}
