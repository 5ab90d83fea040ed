"""Extension collectors for the FANWEN_METRICS_COLLECTORS tests."""

from __future__ import annotations

CALLS = {"n": 0}


def jobs_run() -> list[tuple[str, str, dict[tuple[tuple[str, str], ...], float]]]:
    CALLS["n"] += 1
    return [
        ("fanwen_test_jobs_run", "Jobs run, by job.", {(("job", "order_expiry"),): 3, (("job", "reconcile"),): CALLS["n"]}),
        ("fanwen_test_plain", "A gauge without labels.", {(): 7}),
    ]


def broken() -> list[tuple[str, str, dict[tuple[tuple[str, str], ...], float]]]:
    raise RuntimeError("collector broke")


def malformed() -> list[tuple[str, str, dict[tuple[tuple[str, str], ...], float]]]:
    return [("fanwen_test_bad", "Labels differ.", {(("a", "1"),): 1, (("b", "2"),): 2})]
