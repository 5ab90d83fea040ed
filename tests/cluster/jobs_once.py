"""`make test-jobs`: two hosts' workers on one PostgreSQL database for 5 minutes expire each
order once and retry each refund once per tick (counted in the audit log).  Not part of pytest.

1. A fresh database ``<db>_jobs_check`` beside DATABASE_URL's; `fanwen migrate` (the deploy step).
2. Seed: orders whose expiry times are spread over the run (a few already past), and paid
   sandbox orders refunded while the sandbox is off, so their refunds stay pending and fail
   at every retry (production hosts offer no sandbox).
3. Two `fanwen worker` processes with production settings, each with its own FANWEN_DATA_DIR
   (two hosts), for FANWEN_JOBS_CHECK_SECONDS (default 300), then SIGTERM.
4. Assert from the audit log and JobRun:
   - one JobRun row per (job, tick); no minute tick lost while both ran; no failed run;
   - each expired order has exactly one ``commerce.order.expired`` row (written during an
     expiry run), each still pending order none, and every order due before the last expiry
     run is expired;
   - each refund has exactly one ``commerce.refund.attempt`` row in each refund-retry run (one
     run per minute tick) that started after its backoff passed (capped at one tick here, so
     every tick), none in a run before that, and none outside those runs.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python tests/cluster/jobs_once.py
Env: FANWEN_JOBS_CHECK_SECONDS (shorter local trials), FANWEN_JOBS_CHECK_KEEP=1 keeps the database.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FANWEN = str(Path(sys.executable).parent / "fanwen")
ORDERS, OVERDUE, REFUNDS = 40, 3, 5
MAX_WAIT_TICKS, MAX_ATTEMPTS = 1, 100  # hosts retry a failing refund at every tick, and never give up here


def database_urls() -> tuple[str, str, str]:
    """(admin URL, check database URL, its name) from DATABASE_URL's server."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("make test-jobs 需要 PostgreSQL：请设置 DATABASE_URL=postgres://…")
    server, _, db = base.rpartition("/")
    name = "fanwen_jobs_check" if db in ("", "postgres") else f"{db}_jobs_check"
    return f"{server}/postgres", f"{server}/{name}", name


def recreate(admin: str, name: str, *, create: bool = True) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(start: float, seconds: int) -> tuple[list[int], list[int]]:
    """Pending orders expiring over the run, and refunds that keep failing; their ids."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fanwen.commerce.models import Order, Refund
    from fanwen.commerce.providers import registry
    from fanwen.commerce.services import notification_handle, order_create, order_refund
    from fanwen.core.format import parse_text
    from fanwen.library.services import document_import

    users = get_user_model().objects
    staff = users.create_user("jobs-check-staff", password=None, is_staff=True)
    docs = [
        document_import(parsed=parse_text(f"任务检查文档{i}\n免费开头{i}\n##paidbegin##付费正文{i}。"), price_fen=100 + i).document_id
        for i in range(ORDERS + REFUNDS)
    ]
    at = timezone.now()
    expiring = []
    for i in range(ORDERS):
        order = order_create(user=users.create_user(f"jobs-check-buyer{i}", password=None), document_id=docs[i])
        # OVERDUE orders are past due at the start; the rest fall due over the run (not its last 30 s).
        due = -60.0 + 10 * i if i < OVERDUE else (i - OVERDUE + 0.5) * (seconds - 30) / (ORDERS - OVERDUE)
        Order.objects.filter(pk=order.pk).update(expires_at=at + timedelta(seconds=due))
        expiring.append(order.pk)
    paid = []
    for i in range(REFUNDS):
        order = order_create(user=users.create_user(f"jobs-check-payer{i}", password=None), document_id=docs[ORDERS + i])
        body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
        assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
        paid.append(order.pk)
    settings.FANWEN_SANDBOX_ENABLED = False  # from here the provider cannot be reached: refunds stay pending
    refunds = [order_refund(order_id=pk, actor=staff) for pk in paid]
    assert all(r.status == Refund.Status.PENDING for r in refunds), [r.status for r in refunds]
    return expiring, [r.pk for r in refunds]


def start_host(env: dict[str, str], workdir: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    data = workdir / name
    data.mkdir()
    log = data / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [FANWEN, "worker"], env={**env, "FANWEN_DATA_DIR": str(data)}, stdout=out, stderr=subprocess.STDOUT
        )
    return proc, log


def check(start: float, stop: float, expiring: list[int], refund_ids: list[int]) -> list[str]:
    """What went wrong (empty: passed); prints the figures."""
    from django.db.models import Count
    from django.utils import timezone

    from fanwen.commerce.models import AuditLog, Order, Refund
    from fanwen.jobs.models import JobRun
    from fanwen.search.management.commands.worker import CLUSTER_JOBS

    problems: list[str] = []
    runs = JobRun.objects.all()
    dupes = runs.values("name", "tick").annotate(n=Count("id")).filter(n__gt=1)
    if dupes:
        problems.append(f"JobRun rows sharing (job, tick): {list(dupes)}")
    failed = list(runs.filter(state=JobRun.State.FAILED).values_list("name", "tick", "error"))
    if failed:
        problems.append(f"failed runs: {failed[:10]}")
    all_hosts = set(runs.values_list("host", flat=True))
    print(f"JobRun rows: {runs.count()}, by {len(all_hosts)} hosts")
    if len(all_hosts) != 2:
        problems.append(f"expected both hosts to run jobs, saw {sorted(all_hosts)}")
    for job in CLUSTER_JOBS:
        ticks = set(runs.filter(name=job.name).values_list("tick", flat=True))
        hosts = Counter(runs.filter(name=job.name).values_list("host", flat=True))
        print(f"  {job.name:26} every {job.interval:>4} s: {len(ticks):4} runs, by host {dict(hosts)}")
        if job.interval == 60:
            inner = set(range(int(start // 60) + 1, int(stop // 60)))
            if inner - ticks:
                problems.append(f"{job.name}: minute ticks never run: {sorted(inner - ticks)}")

    # Orders: exactly one expiry row for each expired order, written by an expiry run.
    expiry_runs = list(runs.filter(name="commerce.orders_expire", state=JobRun.State.OK).order_by("tick"))
    windows = [(r.started_at, r.finished_at) for r in expiry_runs]
    last_start = expiry_runs[-1].started_at if expiry_runs else timezone.now()
    expired = 0
    for order in Order.objects.filter(pk__in=expiring):
        rows = list(AuditLog.objects.filter(action="commerce.order.expired", data__order_id=order.pk))
        if order.status == Order.Status.EXPIRED:
            expired += 1
            if len(rows) != 1:
                problems.append(f"order {order.pk}: {len(rows)} expiry audit rows")
            elif not any(a <= rows[0].created_at <= b for a, b in windows):
                problems.append(f"order {order.pk}: expired outside an expiry run")
        elif rows:
            problems.append(f"order {order.pk} ({order.status}) has {len(rows)} expiry audit rows")
        if order.expires_at < last_start and order.status != Order.Status.EXPIRED:
            problems.append(f"order {order.pk} due {order.expires_at} still {order.status} after the run at {last_start}")
    print(f"orders: {expired} of {len(expiring)} expired, each with exactly one audit row: "
          f"{'yes' if not any('expiry audit' in p for p in problems) else 'NO'}")

    # Refunds: in each refund-retry run (one per minute tick), exactly one attempt of each refund
    # that was due when the run started (its backoff after the previous attempt had passed),
    # none of one that was not, and none outside the runs.  The hosts run with the backoff
    # capped at one tick (MAX_WAIT_TICKS), so a refund is due again at every tick.
    from fanwen.commerce.services.refunds import refund_retry_delay

    retry_runs = list(runs.filter(name="commerce.refunds_retry").order_by("tick"))
    if len(retry_runs) < max(1, int((stop - start) // 60) - 1):
        problems.append(f"only {len(retry_runs)} refund-retry runs in {stop - start:.0f} s")
    attempts_per_refund = []
    margin = timedelta(seconds=2)  # a run starting within 2 s of the due time may take it or not
    for refund in Refund.objects.filter(pk__in=refund_ids):
        rows = list(AuditLog.objects.filter(action="commerce.refund.attempt", data__refund_id=refund.pk).order_by("id"))
        seeded = [r for r in rows if not retry_runs or r.created_at < retry_runs[0].started_at]
        per_run: Counter[int] = Counter()
        for row in rows[len(seeded):]:
            inside = [r.tick for r in retry_runs if r.started_at <= row.created_at <= (r.finished_at or timezone.now())]
            if len(inside) != 1:
                problems.append(f"refund {refund.pk}: attempt at {row.created_at} in {len(inside)} retry runs")
            per_run.update(inside)
        done = len(seeded)
        last_at = seeded[-1].created_at if seeded else None
        for run in retry_runs:
            due_at = None if last_at is None else last_at + refund_retry_delay(done)
            got = per_run[run.tick]
            if due_at is None or abs(run.started_at - due_at) < margin:
                want = {0, 1}
            else:
                want = {1 if run.started_at > due_at and done < MAX_ATTEMPTS else 0}
            if got not in want:
                problems.append(f"refund {refund.pk}: {got} attempts in tick {run.tick} (want {sorted(want)})")
            if got:
                done += got
                last_at = max(r.created_at for r in rows if r.created_at >= run.started_at
                              and r.created_at <= (run.finished_at or timezone.now()))
        attempts_per_refund.append(sum(per_run.values()))
    print(f"refunds: {len(refund_ids)} failing, retries each {attempts_per_refund} over {len(retry_runs)} retry runs")
    return problems


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # CI's log in order
    seconds = int(os.environ.get("FANWEN_JOBS_CHECK_SECONDS", "300"))
    admin, url, name = database_urls()
    recreate(admin, name)
    workdir = Path(tempfile.mkdtemp(prefix="fanwen-jobs-check-"))
    host_env = {
        **os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "fanwen.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50), "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "FANWEN_REFUND_RETRY_MAX_WAIT_TICKS": str(MAX_WAIT_TICKS), "FANWEN_REFUND_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
    }
    print(f"== database {name}: fanwen migrate (the deploy step)")
    subprocess.run([FANWEN, "migrate", "-v", "0"], env={**host_env, "FANWEN_DATA_DIR": str(workdir / "deploy")}, check=True)

    # This process reads and seeds the same database with the embedded settings (sandbox on).
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="fanwen.settings.embedded",
                      FANWEN_DATA_DIR=str(workdir / "seed"), FANWEN_REFUND_RETRY_MAX_WAIT_TICKS=str(MAX_WAIT_TICKS),
                      FANWEN_REFUND_MAX_ATTEMPTS=str(MAX_ATTEMPTS))
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.db import connections

    django.setup()
    start = time.time()
    expiring, refund_ids = seed(start, seconds)
    connections.close_all()
    print(f"== seeded {len(expiring)} orders due over the run ({OVERDUE} already due), {len(refund_ids)} failing refunds")

    hosts = [start_host(host_env, workdir, "host-a"), start_host(host_env, workdir, "host-b")]
    print(f"== two workers (pids {[p.pid for p, _ in hosts]}) for {seconds} s")
    problems: list[str] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        time.sleep(min(5.0, max(0.0, deadline - time.time())))
        for proc, log in hosts:
            if proc.poll() is not None:
                problems.append(f"worker {proc.pid} exited early ({proc.returncode}); see {log}")
        if problems:
            break
    for proc, _ in hosts:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc, log in hosts:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            problems.append(f"worker {proc.pid} did not stop within 60 s of SIGTERM; see {log}")
    stop = time.time()
    for _, log in hosts:
        text = log.read_text(errors="replace")
        if "Traceback" in text:
            problems.append(f"a traceback in {log}")
    problems += check(start, stop, expiring, refund_ids)
    connections.close_all()
    if not os.environ.get("FANWEN_JOBS_CHECK_KEEP"):
        recreate(admin, name, create=False)
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems[:40]))
        return 1
    print(f"ok: jobs ran once per tick across two hosts for {stop - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
