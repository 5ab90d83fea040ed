"""The metrics' "jobs run": a collector for ``FANWEN_METRICS_COLLECTORS`` (monitoring/metrics.py)."""

from __future__ import annotations

from collections.abc import Iterator

from fanwen.jobs.selectors import jobs_run_counts


def job_runs() -> Iterator[tuple[str, str, dict[tuple[tuple[str, str], ...], int]]]:
    """Cluster-wide job runs kept (the last 24 h) per job and state: ``fanwen_job_runs``.
    Bounded labels: one per job in the worker's CLUSTER_JOBS, three states."""
    values: dict[tuple[tuple[str, str], ...], int] = {
        (("job", name), ("state", state)): n
        for name, per_state in jobs_run_counts().items()
        for state, n in per_state.items()
    }
    yield "fanwen_job_runs", "Cluster-wide job runs in the last 24 hours by job and state (ok, failed, running).", values
