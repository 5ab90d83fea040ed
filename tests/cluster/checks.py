"""The cluster test's assertions over what the run left: the database, nginx's access log and
locust's own records.  Each returns a list of problems (empty = passed) and its figures."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import psycopg

# A request that was inside the killed host when it died ends (and is logged) at the kill, give or
# take the time nginx needs to see the reset connection.
KILL_WINDOW = (-1.0, 5.0)


def money(dsn: str) -> tuple[list[str], dict[str, Any]]:
    """Every paid document order has exactly one entitlement and one sale; no order and no
    wallet was charged twice; nobody holds two paid orders for one document."""
    problems: list[str] = []
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("""
            select o.number,
                   (select count(*) from access_entitlement e where e.order_id = o.id) as entitlements,
                   (select count(*) from commerce_ledgertransaction t
                     where t.order_id = o.id and t.kind = 'order.paid') as sales
              from commerce_order o where o.kind = 'document' and o.status = 'paid'""").fetchall()
        for number, entitlements, sales in rows:
            if entitlements != 1 or sales != 1:
                problems.append(f"paid order {number}: {entitlements} entitlements, {sales} sales (want 1 and 1)")
        unpaid = conn.execute("""
            select o.number from commerce_order o
             where o.kind = 'document' and o.status <> 'paid'
               and (exists (select 1 from access_entitlement e where e.order_id = o.id)
                    or exists (select 1 from commerce_ledgertransaction t where t.order_id = o.id and t.kind = 'order.paid'))
        """).fetchall()
        problems += [f"unpaid order {n}: has an entitlement or a sale" for (n,) in unpaid]
        charged_twice = conn.execute("""
            select t.order_id, count(*) from commerce_ledgerentry le
              join commerce_ledgertransaction t on t.id = le.transaction_id
              join commerce_account a on a.id = le.account_id
             where a.kind = 'wallet' and le.amount_fen < 0 and t.order_id is not null
             group by t.order_id having count(*) > 1""").fetchall()
        problems += [f"order #{oid}: wallet debited {n} times" for oid, n in charged_twice]
        confirmed_twice = conn.execute("""
            select order_id, count(*) from commerce_payment where status = 'confirmed'
             group by order_id having count(*) > 1""").fetchall()
        problems += [f"order #{oid}: {n} confirmed payments" for oid, n in confirmed_twice]
        # Each wallet's debits are exactly the amounts of its owner's orders paid from the wallet.
        mismatched = conn.execute("""
            with debits as (
                select a.user_id, -sum(le.amount_fen) as fen from commerce_ledgerentry le
                  join commerce_account a on a.id = le.account_id
                  join commerce_ledgertransaction t on t.id = le.transaction_id
                 where a.kind = 'wallet' and le.amount_fen < 0 and t.kind = 'order.paid'
                 group by a.user_id),
            paid as (
                select o.user_id, sum(o.amount_fen) as fen from commerce_order o
                 where o.status = 'paid' and exists (
                    select 1 from commerce_payment p where p.order_id = o.id and p.method = 'wallet' and p.status = 'confirmed')
                 group by o.user_id)
            select coalesce(d.user_id, p.user_id), coalesce(d.fen, 0), coalesce(p.fen, 0)
              from debits d full outer join paid p on p.user_id = d.user_id
             where coalesce(d.fen, 0) <> coalesce(p.fen, 0)""").fetchall()
        problems += [f"user #{uid}: wallet debited {d} fen for {p} fen of paid orders" for uid, d, p in mismatched]
        doubles = conn.execute("""
            select user_id, document_id, count(*) from commerce_order
             where kind = 'document' and status = 'paid' group by user_id, document_id having count(*) > 1""").fetchall()
        problems += [f"user #{u} paid {n} times for document {d}" for u, d, n in doubles]
        figures = {
            "paid_document_orders": len(rows),
            "orders_by_status": dict(conn.execute(
                "select status, count(*) from commerce_order group by status order by status").fetchall()),
        }
    return problems, figures


def access_log(path: Path, killed: str, kill_time: float) -> tuple[list[str], dict[str, Any]]:
    """Every 5xx nginx sent came from the killed host, at the kill."""
    problems: list[str] = []
    total = retried = 0
    by_status: dict[str, int] = {}
    times: list[float] = []
    five_xx: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        total += 1
        by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
        times.append(float(entry["request_time"]))
        if "," in entry["upstream_addr"]:
            retried += 1
        if entry["status"].startswith("5"):
            five_xx.append(entry)
            offset = float(entry["msec"]) - kill_time
            hosts = [h.strip() for h in entry["upstream_addr"].split(",")]
            if hosts[-1] != killed or not KILL_WINDOW[0] <= offset <= KILL_WINDOW[1]:
                problems.append(
                    f"5xx not from the killed host's in-flight requests: {entry['status']} {entry['method']} "
                    f"{entry['uri']} upstream={entry['upstream_addr']} at kill{offset:+.2f}s (request {entry['request_id']})")
    times.sort()
    figures = {
        "requests": total, "by_status": by_status, "retried_on_other_host": retried,
        "five_xx": [{k: e[k] for k in ("status", "method", "uri", "upstream_addr", "request_id")}
                    | {"after_kill_s": round(float(e["msec"]) - kill_time, 3)} for e in five_xx],
        "request_time_s": {q: times[min(len(times) - 1, int(len(times) * p))] if times else None
                           for q, p in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))},
    }
    return problems, figures


def locust_failures(events: Path, access: Path, killed: str, kill_time: float) -> tuple[list[str], int]:
    """Every request locust saw fail is a 5xx at the kill that nginx logged from the killed host."""
    if not events.exists():
        return [], 0
    logged = {}
    for line in access.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        logged[entry["request_id"]] = entry
    problems = []
    rows = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        offset = row["time"] - kill_time
        entry = logged.get(row["request_id"])
        from_killed = entry is not None and entry["upstream_addr"].split(",")[-1].strip() == killed
        if not (500 <= row["status"] < 600 and from_killed and KILL_WINDOW[0] <= offset <= KILL_WINDOW[1] + 2):
            problems.append(f"locust failure not explained by the kill: {row['method']} {row['name']} "
                            f"status={row['status']} at kill{offset:+.2f}s {row['error']}")
    return problems, len(rows)


def locust_stats(prefix: Path) -> dict[str, Any]:
    """The whole run's figures from locust's --csv stats (the Aggregated row) and each request name's."""
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def figures(row: dict[str, str]) -> dict[str, Any]:
        return {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 2),
            "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
            "max_ms": round(float(row["Max Response Time"]), 1),
        }

    whole = next(r for r in rows if r["Name"] == "Aggregated")
    return {"aggregated": figures(whole),
            "by_name": {f"{r['Type']} {r['Name']}": figures(r) for r in rows if r["Name"] != "Aggregated"}}
