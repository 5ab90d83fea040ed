"""Reads of the job runs (for the ops pages and the metrics' "jobs run")."""

from __future__ import annotations

from django.db.models import Count

from fanwen.jobs.models import JobRun


def jobs_run_counts() -> dict[str, dict[str, int]]:
    """Runs kept (see services.jobruns_prune) per job name and state, e.g.
    ``{"commerce.orders_expire": {"ok": 1440, "failed": 0, "running": 1}}``; every state is present."""
    counts: dict[str, dict[str, int]] = {}
    for row in JobRun.objects.order_by().values("name", "state").annotate(n=Count("id")):
        per = counts.setdefault(row["name"], dict.fromkeys(JobRun.State.values, 0))
        per[row["state"]] = row["n"]
    return counts


def job_last_run(name: str) -> JobRun | None:
    return JobRun.objects.filter(name=name).order_by("-tick").first()
