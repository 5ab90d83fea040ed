"""Cluster-wide jobs run once per tick whatever the number of hosts (fanwen/jobs/services.py).

Each racing "host" is a thread with its own database connection: on PostgreSQL the claim
and the advisory lock are exercised for real, on SQLite the claim alone."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from fanwen.jobs.models import JobRun
from fanwen.jobs.selectors import jobs_run_counts
from fanwen.jobs.services import Job, JobRunner, advisory_key, job_run_due, jobruns_prune, tick_of

pytestmark = pytest.mark.django_db(transaction=True)

NOW = 1_800_000_000.0  # a fixed moment: every host computes the same tick


def race(hosts: int, work) -> Counter[str]:
    barrier = threading.Barrier(hosts)

    def run(i: int) -> str:
        try:
            barrier.wait(timeout=30)
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=hosts) as pool:
        return Counter(pool.map(run, range(hosts)))


def test_hosts_racing_for_the_same_tick_run_the_job_once():
    calls: list[int] = []

    def expire() -> None:
        calls.append(1)
        time.sleep(0.2)  # still running while the others try

    job = Job("test.expire", 60, expire)
    outcomes = race(4, lambda i: job_run_due(job, now=NOW, host=f"host{i}"))

    assert outcomes["ran"] == 1 and sum(outcomes.values()) == 4, outcomes
    assert set(outcomes) <= {"ran", "taken", "busy"}  # busy: PostgreSQL's lock was held by the runner
    assert len(calls) == 1
    run = JobRun.objects.get(name="test.expire")
    assert run.tick == tick_of(job, NOW) and run.state == JobRun.State.OK and run.finished_at is not None
    assert abs(run.started_at - timezone.now()) < timedelta(minutes=1) and run.started_at <= run.finished_at


def test_many_ticks_two_runners_each_tick_once():
    """Two hosts' runners stepping through 20 ticks together: 20 runs, never 40."""
    calls: Counter[int] = Counter()
    tick = {"now": NOW}
    job = Job("test.tick", 60, lambda: calls.update([int(tick["now"] // 60)]))
    runners = [JobRunner([job], host="a"), JobRunner([job], host="b")]
    for step in range(20):
        tick["now"] = NOW + 60 * step
        race(2, lambda i: runners[i].run_due(now=tick["now"])[job.name])
    assert len(calls) == 20 and set(calls.values()) == {1}
    assert JobRun.objects.filter(name="test.tick").count() == 20
    assert JobRun.objects.filter(name="test.tick").values("tick").distinct().count() == 20


def test_a_runner_does_not_retry_a_taken_tick_and_runs_the_next():
    calls: list[str] = []
    job = Job("test.next", 60, lambda: calls.append("x"))
    first, second = JobRunner([job], host="a"), JobRunner([job], host="b")
    assert first.run_due(now=NOW) == {"test.next": "ran"}
    assert second.run_due(now=NOW + 1) == {"test.next": "taken"}
    assert second.run_due(now=NOW + 2) == {}  # remembered: no claim at all until the next tick
    assert first.run_due(now=NOW + 3) == {}
    assert second.run_due(now=NOW + 60) == {"test.next": "ran"}
    assert calls == ["x", "x"]
    assert list(JobRun.objects.order_by("tick").values_list("host", flat=True)) == ["a", "b"]


def test_a_failing_job_is_recorded_without_its_message_and_others_still_run():
    def broken() -> None:
        raise ValueError("付费正文不得出现在任务记录里")

    ran: list[str] = []
    runner = JobRunner([Job("test.broken", 60, broken), Job("test.fine", 60, lambda: ran.append("ok"))], host="a")
    assert runner.run_due(now=NOW) == {"test.broken": "failed", "test.fine": "ran"}
    failed = JobRun.objects.get(name="test.broken")
    assert failed.state == JobRun.State.FAILED and failed.error == "ValueError"
    assert ran == ["ok"]
    assert runner.run_due(now=NOW + 5) == {}  # a failed tick is not retried by anyone
    assert jobs_run_counts() == {
        "test.broken": {"running": 0, "ok": 0, "failed": 1},
        "test.fine": {"running": 0, "ok": 1, "failed": 0},
    }


def test_job_names_must_be_unique():
    with pytest.raises(ValueError):
        JobRunner([Job("same", 60, lambda: None), Job("same", 3600, lambda: None)])


def test_old_job_runs_are_pruned():
    job = Job("test.prune", 60, lambda: None)
    job_run_due(job, now=NOW, host="a")
    job_run_due(job, now=NOW + 60, host="a")
    JobRun.objects.filter(tick=tick_of(job, NOW)).update(started_at=timezone.now() - timedelta(days=2))
    assert jobruns_prune() == 1
    assert list(JobRun.objects.values_list("tick", flat=True)) == [tick_of(job, NOW + 60)]


def test_advisory_keys_are_stable_signed_64_bit():
    assert advisory_key("commerce.orders_expire") == advisory_key("commerce.orders_expire")
    assert advisory_key("commerce.orders_expire") != advisory_key("commerce.refunds_retry")
    assert -(2**63) <= advisory_key("x") < 2**63


def test_postgresql_a_slow_run_is_not_overlapped_by_the_next_tick_elsewhere():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs one host")
    started, release = threading.Event(), threading.Event()
    calls: list[float] = []

    def slow() -> None:
        calls.append(time.monotonic())
        started.set()
        release.wait(timeout=30)

    job = Job("test.slow", 60, slow)

    def first_host() -> str:
        try:
            return job_run_due(job, now=NOW, host="a")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(first_host)
        assert started.wait(timeout=30)
        # The next tick on another host (this thread, its own connection): the run is still going.
        assert job_run_due(job, now=NOW + 60, host="b") == "busy"
        assert not JobRun.objects.filter(tick=tick_of(job, NOW + 60)).exists()
        release.set()
        assert first.result(timeout=30) == "ran"
    assert job_run_due(job, now=NOW + 61, host="b") == "ran"  # run late, not lost
    assert len(calls) == 2


def test_staff_cannot_delete_or_edit_job_runs(rf):
    """A deleted row of the current tick would let a second host claim that tick again."""
    from django.contrib import admin as django_admin

    import fanwen.urls  # noqa: F401  the admin is discovered with the URLs
    from tests.commerce.factories import make_user

    request = rf.get("/admin/jobs/jobrun/")
    request.user = make_user(is_staff=True, is_superuser=True)
    job_admin = django_admin.site._registry[JobRun]
    assert not job_admin.has_delete_permission(request) and not job_admin.has_change_permission(request)


def test_the_cluster_jobs_thread_runs_jobs_beside_the_index_sync():
    """worker.py runs the cluster jobs in their own thread, so a job waiting on a provider never
    holds up this host's index sync; the thread keeps going after a failing job."""
    from fanwen.search.management.commands.worker import cluster_jobs_loop

    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow() -> None:  # a provider call that hangs
        started.set()
        release.wait(10)
        ran.append("slow")

    stop = {"now": False}
    runner = JobRunner([Job("test.slow", 60, slow), Job("test.broken", 60, lambda: 1 / 0)], host="a")
    thread = threading.Thread(target=cluster_jobs_loop, args=(runner, stop, 0.05))
    thread.start()
    assert started.wait(10)
    synced = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:  # the main loop is free meanwhile
        synced += 1
        time.sleep(0.05)
    release.set()
    stop["now"] = True
    thread.join(10)
    assert not thread.is_alive() and ran == ["slow"] and synced >= 5
    assert set(JobRun.objects.values_list("name", "state")) == {("test.slow", "ok"), ("test.broken", "failed")}
    connections.close_all()
