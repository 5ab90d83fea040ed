"""The author dashboard (issue #11 item 4): an author with 10,000 documents and daily aggregates
equivalent to 1,000,000 orders over 365 days; p50 of GET /studio/stats/?days=365 and ?days=30
(and 7, and one document's page) through the Django test client with the whole middleware
stack.  Target: p50 <= 200 ms.  Then the rollup job over N bulk-made paid orders (3 % refunded
on a later day), checked against the orders, and a re-run that must add nothing.

    .venv/bin/python bench/stats_bench.py                                   # embedded SQLite
    .venv/bin/python bench/stats_bench.py --rollup-orders 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stats .venv/bin/python bench/stats_bench.py
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.download_bench import percentile, timed  # noqa: E402
from bench.scratch_site import scratch_site  # noqa: E402

COUNTERS = ("reads", "paywall_views", "sales", "sales_fen", "refunds", "refunds_fen", "net_fen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders the aggregates stand for")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--rollup-orders", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "stats.json"))
    args = parser.parse_args()
    pg = scratch_site("fanwen-statsbench-")
    from django.db import connection

    random.seed(11)
    result: dict[str, Any] = {"database": connection.vendor, "documents": args.documents, "orders": args.orders}
    started = time.perf_counter()
    author, docs, rows = build_aggregates(args.documents, args.orders)
    result["aggregate_rows"] = rows
    result["build_s"] = round(time.perf_counter() - started, 1)
    from fanwen.stats.services import stats_periods_refresh

    started = time.perf_counter()
    assert stats_periods_refresh() == 1  # what the worker does every minute after a change
    result["periods_refresh_s"] = round(time.perf_counter() - started, 2)
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result["pages"] = time_pages(author, docs[0], args.requests)
    result["rollup"] = time_rollup(args.rollup_orders)
    result["pass"] = all(p["p50_ms"] <= 200 for url, p in result["pages"].items() if ".csv" not in url)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


def build_aggregates(n_docs: int, n_orders: int) -> tuple[Any, list[int], int]:
    """Documents by bulk_create, and the aggregate rows that ``n_orders`` orders (3 % refunded,
    about 20 reads per sale) spread over 365 days would leave."""
    from django.db import transaction
    from django.utils import timezone

    from fanwen.library.models import Document
    from fanwen.stats.models import AuthorChanged, AuthorDay, DocumentDay, DocumentMonth
    from tests.commerce.factories import make_user

    author = make_user("bench-author")
    Document.objects.bulk_create(
        [Document(title=f"基准文档 {i} 关于加强作风建设的心得体会", author=author, price_fen=500, chars_free=300,
                  chars_paid=2000, content_hash=f"bench-{i:08d}") for i in range(n_docs)],
        batch_size=2000,
    )
    docs = list(Document.objects.filter(author=author).order_by("pk").values_list("pk", flat=True))
    today = timezone.localdate()
    days = [today - timedelta(days=i) for i in range(365)]
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 7)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(docs))]  # a few documents sell most
    picks = random.choices(range(len(docs)), weights=weights, k=n_orders)
    for doc_index in picks:
        cell = cells[(doc_index, random.randrange(365))]
        price = 500 + 100 * (doc_index % 10)
        cell[2] += 1
        cell[3] += price
        cell[6] += price * 70 // 100
        if random.random() < 0.03:
            cell[4] += 1
            cell[5] += price
            cell[6] -= price * 70 // 100
    for cell in cells.values():
        cell[0] = cell[2] * 20 + random.randrange(20)
        cell[1] = cell[0] * 9 // 10
    months: dict[tuple[int, Any], list[int]] = defaultdict(lambda: [0] * 7)
    per_day: dict[Any, list[int]] = defaultdict(lambda: [0] * 7)
    for (doc_index, day_index), cell in cells.items():
        day = days[day_index]
        for target in (months[(doc_index, day.replace(day=1))], per_day[day]):
            for i, v in enumerate(cell):
                target[i] += v
    with transaction.atomic():
        batch: list[DocumentDay] = []
        for (doc_index, day_index), cell in cells.items():
            batch.append(DocumentDay(document_id=docs[doc_index], author=author, day=days[day_index],
                                     **dict(zip(COUNTERS, cell, strict=True))))
            if len(batch) >= 5000:
                DocumentDay.objects.bulk_create(batch)
                batch = []
        DocumentDay.objects.bulk_create(batch)
        DocumentMonth.objects.bulk_create(
            [DocumentMonth(document_id=docs[d], author=author, month=m, **dict(zip(COUNTERS, c, strict=True)))
             for (d, m), c in months.items()], batch_size=5000)
        AuthorDay.objects.bulk_create(
            [AuthorDay(author=author, day=day, **dict(zip(COUNTERS, c, strict=True))) for day, c in per_day.items()])
        AuthorChanged.objects.create(author=author)  # as services.stats_add marks it
    return author, docs, len(cells)


def time_pages(author: Any, document_id: int, n: int) -> dict[str, Any]:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(author)
    urls = ["/studio/stats/?days=365", "/studio/stats/?days=30", "/studio/stats/?days=7",
            f"/studio/stats/{document_id}/?days=365"]

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    for url in urls:
        timed(lambda u=url: get(u), 3)  # type: ignore[misc]  # warm up
    times: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(5):  # interleaved rounds, so noise hits all alike
        for url in urls:
            times[url] += timed(lambda u=url: get(u), max(1, n // 5))  # type: ignore[misc]
    csv_ms = statistics.median(timed(lambda: client.get("/studio/stats/documents.csv?days=365"), 3))
    out = {url: {"p50_ms": round(statistics.median(v), 1), "p90_ms": round(percentile(v, 0.9), 1), "n": len(v)}
           for url, v in times.items()}
    out["/studio/stats/documents.csv?days=365"] = {"p50_ms": round(csv_ms, 1), "p90_ms": None, "n": 3}
    return out


def time_rollup(n_orders: int) -> dict[str, Any]:
    """Paid document orders made in bulk the way fulfilment books them (order.paid: source −,
    author:<id> + 70 %, revenue + rest), 3 % refunded a few days later (refund.done taking the
    share back), over 365 days; plus real orders through the services for a second author.
    The rollup's figures must equal the orders', and a re-run must add nothing."""
    from django.db import transaction
    from django.db.models import Sum
    from django.utils import timezone

    from fanwen.commerce.models import Account, LedgerEntry, LedgerTransaction, Order
    from fanwen.library.models import Document
    from fanwen.stats.models import AuthorDay
    from fanwen.stats.services import stats_rollup
    from tests.commerce.factories import make_document, make_user
    from tests.stats.test_rollup import refund, sell

    seller, buyer = make_user("bench-seller"), make_user("bench-buyer")
    Document.objects.bulk_create(
        [Document(title=f"销售文档 {i}", author=seller, price_fen=500 + i, chars_paid=10, content_hash=f"sell-{i:06d}")
         for i in range(1000)])
    doc_ids = list(Document.objects.filter(author=seller).values_list("pk", "price_fen"))
    source = Account.objects.create(code="clearing:bench", kind="clearing")
    share_acct = Account.objects.create(code=f"author:{seller.pk}", kind="author", user=seller)
    revenue, _ = Account.objects.get_or_create(code="revenue:platform:0", defaults={"kind": "revenue"})
    now = timezone.now()
    expect = {"sales": 0, "sales_fen": 0, "refunds": 0, "refunds_fen": 0, "net_fen": 0}
    made = time.perf_counter()
    for start in range(0, n_orders, 20_000):
        with transaction.atomic():
            size = min(20_000, n_orders - start)
            chosen = [random.choice(doc_ids) for _ in range(size)]
            when = [now - timedelta(days=random.randrange(365), seconds=random.randrange(86400)) for _ in range(size)]
            orders = Order.objects.bulk_create(
                [Order(number=f"B{start + i:012d}", user=buyer, kind="document", document_id=d, amount_fen=p,
                       status="paid", subject="bench", expires_at=w, paid_at=w) for i, ((d, p), w) in enumerate(zip(chosen, when, strict=True))])
            txs = LedgerTransaction.objects.bulk_create(
                [LedgerTransaction(kind="order.paid", order=o, memo=o.number) for o in orders])
            refunded = [(o, t) for o, t in zip(orders, txs, strict=True) if random.random() < 0.03]
            rtxs = LedgerTransaction.objects.bulk_create(
                [LedgerTransaction(kind="refund.done", order=o, memo="r" + o.number) for o, _ in refunded])
            entries = []
            for o, t in zip(orders, txs, strict=True):
                share = o.amount_fen * 70 // 100
                entries += [LedgerEntry(transaction=t, account=source, amount_fen=-o.amount_fen),
                            LedgerEntry(transaction=t, account=share_acct, amount_fen=share),
                            LedgerEntry(transaction=t, account=revenue, amount_fen=o.amount_fen - share)]
                expect["sales"] += 1
                expect["sales_fen"] += o.amount_fen
                expect["net_fen"] += share
            for (o, _), r in zip(refunded, rtxs, strict=True):
                share = o.amount_fen * 70 // 100
                entries += [LedgerEntry(transaction=r, account=share_acct, amount_fen=-share),
                            LedgerEntry(transaction=r, account=revenue, amount_fen=share - o.amount_fen),
                            LedgerEntry(transaction=r, account=source, amount_fen=o.amount_fen)]
                expect["refunds"] += 1
                expect["refunds_fen"] += o.amount_fen
                expect["net_fen"] -= share
            LedgerEntry.objects.bulk_create(entries, batch_size=5000)
            # created_at is auto_now_add: date the rows as the orders were made (refunds up to 5 days later)
            for o, t in zip(orders, txs, strict=True):
                t.created_at = o.paid_at
            for (o, _), r in zip(refunded, rtxs, strict=True):
                r.created_at = min(now, o.paid_at + timedelta(days=random.randrange(6)))
            LedgerTransaction.objects.bulk_update(txs + rtxs, ["created_at"], batch_size=5000)
    made_s = time.perf_counter() - made
    # A sample of real orders, through the services, for a second author.
    real_author = make_user()
    real_doc = make_document(price_fen=990, author=real_author)
    real_orders = [sell(real_doc) for _ in range(20)]
    for order in real_orders[:3]:
        refund(order)

    started = time.perf_counter()
    read = stats_rollup()
    rollup_s = time.perf_counter() - started
    got = AuthorDay.objects.filter(author=seller).aggregate(**{k: Sum(k) for k in expect})
    again = time.perf_counter()
    reread = stats_rollup()
    rerun_s = time.perf_counter() - again
    got_again = AuthorDay.objects.filter(author=seller).aggregate(**{k: Sum(k) for k in expect})
    real = AuthorDay.objects.filter(author=real_author).aggregate(**{k: Sum(k) for k in expect})
    real_expect = {"sales": 20, "sales_fen": 20 * 990, "refunds": 3, "refunds_fen": 3 * 990,
                   "net_fen": 17 * (990 * 70 // 100)}
    return {
        "orders": n_orders,
        "refunds": expect["refunds"],
        "ledger_transactions_read": read,
        "make_orders_s": round(made_s, 1),
        "rollup_s": round(rollup_s, 2),
        "rerun_s": round(rerun_s, 3),
        "rerun_read": reread,
        "matches_orders": got == expect,
        "rerun_adds_nothing": got_again == expect,
        "real_orders_match": real == real_expect,
        "expected": expect,
        "got": got,
    }


if __name__ == "__main__":
    main()
