"""Run a cluster-wide job at most once per tick, whatever the number of hosts.

A tick is ``floor(unix time / interval)``.  A host runs a job for a tick only if

1. on PostgreSQL, it holds the job's session advisory lock (``pg_try_advisory_lock``, never
   waiting): a run still going on another host (a slow one, past its tick) is never overlapped;
   the tick is tried again a second later and run late rather than twice at once;
2. its ``INSERT … ON CONFLICT DO NOTHING`` of the JobRun row (UNIQUE(name, tick)) inserted a
   row: the claim.  Committed before the job starts, so exactly one host ever owns a tick,
   on SQLite too.

The row records the host, start, end and outcome (``ok`` / ``failed`` with the exception's
class, never its message: it could quote a document).  A host killed mid-run leaves its row
``running`` and its lock goes with its connection; the next tick runs normally.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from fanwen.jobs.models import JobRun

log = logging.getLogger("fanwen.jobs")

#: JobRun rows older than this are pruned (the hourly jobs.prune job)
KEEP = timedelta(hours=24)


@dataclass(frozen=True)
class Job:
    """A cluster-wide job: ``name`` (stable: it is the claim's key), every ``interval`` seconds."""

    name: str
    interval: int
    func: Callable[[], Any]


def host_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def tick_of(job: Job, now: float | None = None) -> int:
    return int((time.time() if now is None else now) // job.interval)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock, from the job's name."""
    digest = hashlib.blake2b(f"fanwen.job:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """PostgreSQL: the job's session advisory lock if free (True), else False at once.
    Other databases (SQLite: one host) have no such lock: always True, the claim decides."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def job_claim(job: Job, tick: int, *, host: str) -> bool:
    """Insert the (name, tick) row; True only for the one host whose insert made it."""
    table = connection.ops.quote_name(JobRun._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, tick, interval_seconds, host, state, started_at, error) "  # noqa: S608 (our own table name)
            "VALUES (%s, %s, %s, %s, %s, %s, '') ON CONFLICT DO NOTHING",
            [job.name, tick, job.interval, host, JobRun.State.RUNNING,
             connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.rowcount == 1


def job_run_due(job: Job, *, now: float | None = None, host: str | None = None) -> str:
    """Run ``job`` for the current tick if no host has: ``ran``, ``failed`` (it ran and raised),
    ``taken`` (another host claimed this tick) or ``busy`` (its run is still going elsewhere:
    try again shortly)."""
    tick = tick_of(job, now)
    with job_lock(job.name) as got:
        if not got:
            return "busy"
        if not job_claim(job, tick, host=host or host_name()):
            return "taken"
        state, error = JobRun.State.OK, ""
        try:
            job.func()
        except Exception as exc:  # one failing job must not stop the others; the row says so
            log.exception("job %s (tick %s) failed", job.name, tick)
            state, error = JobRun.State.FAILED, type(exc).__name__
        JobRun.objects.filter(name=job.name, tick=tick).update(state=state, error=error[:200], finished_at=timezone.now())
        return "ran" if state == JobRun.State.OK else "failed"


class JobRunner:
    """One host's view of the schedule: tries each job once per tick (again each second while
    ``busy``), so a host issues about one claim per job per tick."""

    def __init__(self, jobs: list[Job], *, host: str | None = None) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = jobs
        self.host = host or host_name()
        self._done: dict[str, int] = {}

    def run_due(self, now: float | None = None) -> dict[str, str]:
        outcomes: dict[str, str] = {}
        for job in self.jobs:
            moment = time.time() if now is None else now
            tick = tick_of(job, moment)
            if self._done.get(job.name) == tick:
                continue
            try:
                outcome = job_run_due(job, now=moment, host=self.host)
            except Exception:  # the database itself failing (the claim): try again next second
                log.exception("job %s: could not claim tick %s", job.name, tick)
                outcome = "error"
            if outcome in ("ran", "failed", "taken"):
                self._done[job.name] = tick
            outcomes[job.name] = outcome
        return outcomes


def jobruns_prune(keep: timedelta = KEEP) -> int:
    """Delete JobRun rows started more than ``keep`` ago."""
    return JobRun.objects.filter(started_at__lt=timezone.now() - keep).delete()[0]
