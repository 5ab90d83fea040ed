"""Wallet purchases per second on PostgreSQL at 1, 2, 8 and 32 concurrent connections (issue #13
item 3), and for context plain single-INSERT transactions into a scratch table at the same
concurrencies, in ONE run.

Each connection is its own process (forked after Django starts; no GIL between them) with its
own database connection.  A purchase is what the site's 购买 does: ``order_create`` (the order)
then ``order_pay_with_wallet`` (locks, wallet charge, ledger, entitlement, earnings, audit) —
the real services, one buyer buying one document.  Concurrent purchases never share a buyer,
a document or an author: process slot ``s`` sells only its own author's documents, to buyers
of its own for that concurrency level, so the only rows they can share are the platform's.
Every wallet is funded beforehand with one balanced ``wallet.credit`` transaction, so
``ledger check`` holds from the start; it is run again after the purchases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hot .venv/bin/python bench/purchase_bench.py
    make bench-purchases DATABASE_URL=...

The database named by DATABASE_URL is FLUSHED: never point it at data you keep.
Target: purchases at 8 connections ≥ 1.6 × purchases at 1.

Each worker process starts its own session (``setsid``) unless ``--shared-session``: with Linux's
scheduler autogroups (``/proc/sys/kernel/sched_autogroup_enabled``), all processes of one session
share ONE slice of CPU, so on a machine busy with other sessions the bench could not scale with
its process count whatever the code does.  Separate app workers (separate services) are separate
sessions; on a quiet machine it makes no difference.  The output says which was used.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_site import scratch_site  # noqa: E402

PRICE_FEN = 500
WARMUP = 3  # untimed purchases (or inserts) per process before the start line
OWN_SESSIONS = True  # each worker process in its own session (see the docstring)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="1,2,8,32", help="concurrent connections, comma-separated")
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per level")
    parser.add_argument("--docs-per-slot", type=int, default=300)
    parser.add_argument("--buyers-per-slot", type=int, default=20)
    parser.add_argument("--shared-session", action="store_true",
                        help="keep every worker in this session (one autogroup: one CPU slice for all)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "purchases.json"))
    args = parser.parse_args()
    global OWN_SESSIONS
    OWN_SESSIONS = not args.shared_session
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("purchase_bench needs DATABASE_URL=postgres://… (the database is flushed)")
    levels = [int(x) for x in args.levels.split(",")]
    scratch_site("fanwen-purchasebench-")  # DATABASE_URL is PostgreSQL (checked above): flushed
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute("CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, worker int NOT NULL, n int NOT NULL)")
        cursor.execute("SHOW synchronous_commit")
        sync_commit = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    started = time.perf_counter()
    plan = build(levels, args.docs_per_slot, args.buyers_per_slot)
    build_s = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()  # every process opens its own connection

    result: dict[str, Any] = {
        "database": f"PostgreSQL {version}", "synchronous_commit": sync_commit, "cpus": os.cpu_count(),
        "seconds_per_level": args.seconds, "build_s": build_s, "git": _git_head(),
        "worker_sessions": "own" if OWN_SESSIONS else "shared", "autogroup": _autogroup(),
        "purchases": {}, "inserts": {},
    }
    for n in levels:
        result["purchases"][n] = run_level(n, args.seconds, "purchase", plan[n])
        print(f"purchases  {n:>3} connections: {result['purchases'][n]}", flush=True)
    for n in levels:
        result["inserts"][n] = run_level(n, args.seconds, "insert", [[] for _ in range(n)])
        print(f"inserts    {n:>3} connections: {result['inserts'][n]}", flush=True)
    result["checks"] = checks(sum(r["done"] + r["warmup"] for r in result["purchases"].values()))
    for kind in ("purchases", "inserts"):
        base = result[kind][levels[0]]["per_s"] or 1
        for n in levels:
            result[kind][n]["ratio"] = round(result[kind][n]["per_s"] / base, 2)
    if 1 in levels and 8 in levels:
        result["target_8_over_1"] = 1.6
        result["pass"] = result["purchases"][8]["ratio"] >= 1.6 and result["checks"]["ledger_ok"]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print_table(result, levels)


def _autogroup() -> str:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip()
    except OSError:
        return "n/a"


def _git_head() -> str:
    try:
        import subprocess

        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=False).stdout.strip()
    except OSError:
        return ""


def build(levels: list[int], docs_per_slot: int, buyers_per_slot: int) -> dict[int, list[list[tuple[int, int]]]]:
    """Authors, documents and funded buyers.  Returns, per level, per process, its (buyer, document)
    pairs: slot ``s`` owns author ``s`` and that author's documents; buyers are new per level."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from fanwen.commerce.models import Account, LedgerEntry, LedgerTransaction
    from fanwen.library.models import Document

    User = get_user_model()
    slots = max(levels)
    with transaction.atomic():
        User.objects.bulk_create([User(username=f"pb-author-{s}", password="!") for s in range(slots)])  # noqa: S106
        authors = dict(User.objects.filter(username__startswith="pb-author-").values_list("username", "pk"))
        Document.objects.bulk_create(
            [Document(title=f"购买基准文档 {s}-{i}", author_id=authors[f"pb-author-{s}"], price_fen=PRICE_FEN,
                      chars_paid=100, chars_free=100, content_hash=f"pb-{s:03d}-{i:05d}", status="published")
             for s in range(slots) for i in range(docs_per_slot)], batch_size=5000)
        docs: dict[int, list[int]] = {}
        for pk, h in Document.objects.filter(content_hash__startswith="pb-").values_list("pk", "content_hash"):
            docs.setdefault(int(h.split("-")[1]), []).append(pk)
        names = [f"pb-buyer-{n}-{s}-{b}" for n in levels for s in range(n) for b in range(buyers_per_slot)]
        User.objects.bulk_create([User(username=u, password="!") for u in names], batch_size=5000)  # noqa: S106
        buyers = dict(User.objects.filter(username__startswith="pb-buyer-").values_list("username", "pk"))
        # Fund every wallet in one balanced transaction from the promotion account.
        each = PRICE_FEN * (docs_per_slot + WARMUP)
        promotion, _ = Account.objects.get_or_create(code="promotion:platform", defaults={"kind": "promotion"})
        Account.objects.bulk_create([Account(code=f"wallet:{pk}", kind="wallet", user_id=pk, balance_fen=each)
                                     for pk in buyers.values()], batch_size=5000)
        wallets = list(Account.objects.filter(kind="wallet").values_list("pk", flat=True))
        tx = LedgerTransaction.objects.create(kind="wallet.credit", memo="purchase_bench funding")
        LedgerEntry.objects.bulk_create([LedgerEntry(transaction=tx, account_id=w, amount_fen=each) for w in wallets]
                                        + [LedgerEntry(transaction=tx, account=promotion, amount_fen=-each * len(wallets))],
                                        batch_size=5000)
        Account.objects.filter(pk=promotion.pk).update(balance_fen=-each * len(wallets))
    plan: dict[int, list[list[tuple[int, int]]]] = {}
    for n in levels:
        plan[n] = []
        for s in range(n):
            mine = [buyers[f"pb-buyer-{n}-{s}-{b}"] for b in range(buyers_per_slot)]
            # One buyer after another, each on the next document: a buyer never buys a document twice.
            plan[n].append([(mine[i % len(mine)], docs[s][i // len(mine) % len(docs[s])])
                            for i in range(len(mine) * len(docs[s]))])
    return plan


def run_level(n: int, seconds: float, kind: str, pairs: list[list[tuple[int, int]]]) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(n + 1)
    queue = ctx.Queue()
    target = _purchase_worker if kind == "purchase" else _insert_worker
    procs = [ctx.Process(target=target, args=(w, pairs[w], barrier, seconds, queue)) for w in range(n)]
    load_before = os.getloadavg()[0]
    for p in procs:
        p.start()
    barrier.wait(timeout=300)
    waits = _sample_waits(seconds)
    outcomes = [queue.get(timeout=seconds + 300) for _ in procs]
    for p in procs:
        p.join()
    done = sum(o["done"] for o in outcomes)
    per_s = sum(o["done"] / o["elapsed"] for o in outcomes if o["elapsed"] > 0)
    errors: dict[str, int] = {}
    for o in outcomes:
        for name, count in o["errors"].items():
            errors[name] = errors.get(name, 0) + count
    cpu_ms = 1000 * sum(o["cpu_s"] for o in outcomes) / done if done else 0.0
    return {"connections": n, "done": done, "warmup": sum(o["warmup"] for o in outcomes), "per_s": round(per_s, 1),
            "errors": errors, "exhausted": sum(o["exhausted"] for o in outcomes),
            "client_cpu_ms_each": round(cpu_ms, 2), "server_waits": waits,
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}


def _sample_waits(seconds: float) -> dict[str, Any]:
    """What this database's other backends are doing, sampled every 50 ms while the level runs
    (``pg_stat_activity``): waiting for a row lock (``Lock``), for their client (``Client``: the
    Python side is the bottleneck), on WAL/IO, or running.  Row-lock waits are the hot-row signature."""
    from django.db import connection

    counts: dict[str, int] = {}
    end = time.perf_counter() + seconds
    with connection.cursor() as cursor:
        while time.perf_counter() < end:
            cursor.execute(
                "SELECT coalesce(wait_event_type, 'Running') FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            for (kind,) in cursor.fetchall():
                counts[kind] = counts.get(kind, 0) + 1
            time.sleep(0.05)
    connection.close()  # the next level forks: no open connection may be inherited
    total = sum(counts.values()) or 1
    return {"samples": counts, "row_lock_share": round(counts.get("Lock", 0) / total, 3)}


def _purchase_worker(w: int, pairs: list[tuple[int, int]], barrier: Any, seconds: float, queue: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from fanwen.commerce.services import order_create, order_pay_with_wallet

    _own_session()
    connections.close_all()
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={b for b, _ in pairs})}

    def buy(buyer_id: int, document_id: int) -> None:
        order = order_create(user=users[buyer_id], document_id=document_id)
        order_pay_with_wallet(order_id=order.pk, user=users[buyer_id])

    for buyer_id, document_id in pairs[:WARMUP]:
        buy(buyer_id, document_id)
    _timed(barrier, seconds, queue, buy, pairs[WARMUP:], warmup=WARMUP)


def _insert_worker(w: int, pairs: list[tuple[int, int]], barrier: Any, seconds: float, queue: Any) -> None:
    from django.db import connection, connections

    _own_session()
    connections.close_all()
    cursor = connection.cursor()  # autocommit: every INSERT is its own transaction

    def insert(n: int, _: int) -> None:
        cursor.execute("INSERT INTO bench_scratch (worker, n) VALUES (%s, %s)", [w, n])

    for i in range(WARMUP):
        insert(i, 0)
    _timed(barrier, seconds, queue, insert, ((i, 0) for i in range(10**9)), warmup=WARMUP)


def _own_session() -> None:
    if OWN_SESSIONS:
        os.setsid()


def _timed(barrier: Any, seconds: float, queue: Any, step: Any, work: Any, *, warmup: int) -> None:
    from django.db import connections

    done, errors, exhausted = 0, {}, 1
    barrier.wait(timeout=300)
    start, cpu_start = time.perf_counter(), time.process_time()
    end = start + seconds
    for a, b in work:
        if time.perf_counter() >= end:
            exhausted = 0
            break
        try:
            step(a, b)
            done += 1
        except Exception as exc:  # counted and shown, never hidden
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
    elapsed, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    connections.close_all()
    queue.put({"done": done, "errors": errors, "elapsed": elapsed, "cpu_s": cpu_s, "warmup": warmup,
               "exhausted": exhausted})


def checks(expected_paid: int) -> dict[str, Any]:
    """After all levels: the books balance; every purchase is one paid order with one
    entitlement and one ``order.paid`` transaction."""
    from django.db.models import Count

    from fanwen.access.models import Entitlement
    from fanwen.commerce.models import LedgerTransaction, Order
    from fanwen.commerce.services.ledger import ledger_check

    problems = ledger_check()
    paid = Order.objects.filter(status="paid").count()
    entitled = Entitlement.objects.filter(order__isnull=False, revoked_at__isnull=True).count()
    doubled = (LedgerTransaction.objects.filter(kind="order.paid").values("order_id").annotate(n=Count("id"))
               .filter(n__gt=1).count())
    return {"ledger_ok": not problems, "ledger_problems": [p.what for p in problems[:5]],
            "paid_orders": paid, "expected_paid": expected_paid, "entitlements": entitled,
            "orders_paid_twice": doubled}


def print_table(result: dict[str, Any], levels: list[int]) -> None:
    print(f"\n{result['database']}, synchronous_commit={result['synchronous_commit']}, {result['cpus']} CPUs, "
          f"{result['seconds_per_level']} s per level, git {result['git']}, worker sessions "
          f"{result['worker_sessions']} (autogroup {result['autogroup']})")
    print(f"{'conns':>5} | {'purchases/s':>11} {'ratio':>6} {'errors':>6} {'cpu ms':>6} {'row-lock':>8} | "
          f"{'inserts/s':>10} {'ratio':>6} | load avg (purchases / inserts)")
    for n in levels:
        p, i = result["purchases"][n], result["inserts"][n]
        print(f"{n:>5} | {p['per_s']:>11.1f} {p['ratio']:>5.2f}x {sum(p['errors'].values()):>6} "
              f"{p['client_cpu_ms_each']:>6.1f} {p['server_waits']['row_lock_share']:>8.1%} | "
              f"{i['per_s']:>10.1f} {i['ratio']:>5.2f}x | {p['load_before']:.2f} / {i['load_before']:.2f}")
    print("cpu ms: the Python side's CPU per purchase; row-lock: share of busy server samples waiting for a row lock")
    c = result["checks"]
    print(f"ledger check: {'ok' if c['ledger_ok'] else c['ledger_problems']}; paid orders {c['paid_orders']} "
          f"(expected {c['expected_paid']}), entitlements {c['entitlements']}, paid twice {c['orders_paid_twice']}")
    if "pass" in result:
        print(f"8 connections / 1 = {result['purchases'][8]['ratio']:.2f}x (target ≥ 1.6): "
              f"{'PASS' if result['pass'] else 'FAIL'}")


if __name__ == "__main__":
    main()
