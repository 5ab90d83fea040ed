"""The operator dashboard (issue #12 item 5) with a sizeable site: 100,000 orders over 365 days
(70 % paid, 3 % of those refunded), 50,000 users, 20,000 documents (2 % pending review),
1,000 authors' daily aggregates for a year (365,000 AuthorDay rows, which the dashboard does not read: it reads SiteDay), 1,000,000 search log rows
(90 days × ~11,000 queries), 2,000 payouts waiting, 200,000 audit rows (half commerce's).
p50 of GET /ops/?days=7|30|365 (search panels from the worker's snapshot, warmed first, and
computed on a miss: "searches_compute_ms"), the CSV and /ops/audit/ (first page, a filtered page, a deep
page by cursor) through the Django test client with the whole middleware stack, as staff.
Target: p50 <= 200 ms for the pages.

    .venv/bin/python bench/ops_bench.py                                    # embedded SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsdash .venv/bin/python bench/ops_bench.py
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.download_bench import percentile, timed  # noqa: E402
from bench.scratch_site import scratch_site  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--search-rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per URL")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "ops.json"))
    args = parser.parse_args()
    scratch_site("fanwen-opsbench-")
    from django.db import connection

    random.seed(12)
    result: dict[str, Any] = {"database": connection.vendor, "orders": args.orders, "search_rows": args.search_rows}
    started = time.perf_counter()
    staff, sizes = build(args.orders, args.search_rows)
    result["rows"] = sizes
    result["build_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    result["searches_compute_ms"] = time_search_compute()
    result["pages"] = time_pages(staff, args.requests)
    result["pass"] = all(p["p50_ms"] <= 200 for p in result["pages"].values())
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


def _at(days_ago: int, now: Any) -> Any:
    return now - timedelta(days=days_ago, seconds=random.randrange(86400))


def build(n_orders: int, n_search: int) -> tuple[Any, dict[str, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from fanwen.audit.models import AuditEvent
    from fanwen.commerce.models import AuditLog, Order, Payment, Refund
    from fanwen.library.models import Document
    from fanwen.ops.models import SiteDay
    from fanwen.payouts.models import Payout
    from fanwen.search.models import SearchQueryDay
    from fanwen.stats.models import AuthorDay
    from tests.commerce.factories import make_user

    User = get_user_model()
    now = timezone.now()
    today = timezone.localdate()
    staff = make_user("bench-staff", is_staff=True)
    with transaction.atomic():
        User.objects.bulk_create([User(username=f"u{i}", password="!",  # noqa: S106 (unusable)
                                       date_joined=_at(random.randrange(365), now))
                                  for i in range(50_000)], batch_size=5000)
    users = list(User.objects.values_list("pk", flat=True)[:1000])
    with transaction.atomic():
        Document.objects.bulk_create(
            [Document(title=f"基准文档 {i}", author_id=users[i % 1000], price_fen=500 + i % 1000, chars_paid=10,
                      content_hash=f"ops-{i:08d}", status="pending" if i % 50 == 0 else "published")
             for i in range(20_000)], batch_size=5000)
        for age in range(365):  # created_at is auto_now_add: date the documents by slices
            Document.objects.filter(content_hash__endswith=f"{age:03d}").update(created_at=_at(age, now))
    docs = list(Document.objects.values_list("pk", "price_fen"))
    buyer = make_user("bench-buyer")
    for start in range(0, n_orders, 20_000):
        with transaction.atomic():
            size = min(20_000, n_orders - start)
            rows = []
            for i in range(size):
                doc, price = random.choice(docs)
                made = _at(random.randrange(365), now)
                paid = random.random() < 0.7
                rows.append(Order(number=f"B{start + i:012d}", user=buyer, kind="document", document_id=doc,
                                  amount_fen=price, status="paid" if paid else "expired", subject="bench",
                                  expires_at=made, paid_at=made + timedelta(minutes=3) if paid else None))
            orders = Order.objects.bulk_create(rows)
            refunded = [o for o in orders if o.paid_at and random.random() < 0.03]
            payments = Payment.objects.bulk_create([Payment(order=o, method="alipay", amount_fen=o.amount_fen,
                                                            status="refunded", provider_ref=f"T{o.number}")
                                                    for o in refunded])
            Refund.objects.bulk_create([Refund(order=o, payment=p, amount_fen=o.amount_fen, status="done",
                                               out_request_no=f"R{o.number}", done_at=o.paid_at + timedelta(days=2))
                                        for o, p in zip(refunded, payments, strict=True)])
    with connection.cursor() as cursor:  # created_at is auto_now_add: the orders were made at expires_at
        cursor.execute(f"UPDATE {Order._meta.db_table} SET created_at = expires_at")  # noqa: S608
    with transaction.atomic():  # the authors' days, and the site's days they add up to
        author_days = [AuthorDay(author_id=a, day=today - timedelta(days=d), reads=(r := random.randrange(200)),
                                 paywall_views=r // 2) for a in users for d in range(365)]
        AuthorDay.objects.bulk_create(author_days, batch_size=10_000)
        site: dict[Any, list[int]] = {}
        for row in author_days:
            cell = site.setdefault(row.day, [0, 0])
            cell[0] += row.reads
            cell[1] += row.paywall_views
        SiteDay.objects.bulk_create([SiteDay(day=d, reads=r, paywall_views=p) for d, (r, p) in site.items()])
    per_day = n_search // 90
    with transaction.atomic():
        for d in range(90):
            SearchQueryDay.objects.bulk_create(
                [SearchQueryDay(day=today - timedelta(days=d), query=f"搜索词{random.randrange(per_day * 3)}-{i}",
                                searches=random.randrange(1, 50), zero_results=random.randrange(3)) for i in range(per_day)],
                batch_size=10_000)
    with transaction.atomic():
        Payout.objects.bulk_create([Payout(user_id=users[i % 1000], amount_fen=10_000 + i, out_biz_no=f"P{i}",
                                           payee_method="alipay", payee_name="王芳", payee_identity="wf@example.com")
                                    for i in range(2000)])
        AuditEvent.objects.bulk_create([AuditEvent(action="library.document.edited", actor_id=users[i % 1000],
                                                   subject_type="library.document", subject_id=str(docs[i % len(docs)][0]))
                                        for i in range(100_000)], batch_size=10_000)
        AuditLog.objects.bulk_create([AuditLog(action="commerce.order.paid", data={"i": i}) for i in range(100_000)],
                                     batch_size=10_000)
    sizes = {m.__name__: m.objects.count() for m in (User, Document, Order, Refund, AuthorDay, SearchQueryDay, Payout,
                                                      AuditEvent, AuditLog)}
    return staff, sizes


def time_search_compute() -> dict[str, float]:
    """What the worker does for each period's search panels (and a page on a cache miss)."""
    from fanwen.ops.selectors import PERIODS, search_figures
    from fanwen.stats.selectors import period

    return {str(days): round(statistics.median(timed(lambda d=days: search_figures(*period(d)), 3)), 1)  # type: ignore[misc]
            for days in PERIODS}


def time_pages(staff: Any, n: int) -> dict[str, Any]:
    from django.test import Client

    from fanwen.ops import audit

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    _, cursor = audit.page(audit.Filters())
    for _ in range(20):  # 20 pages deep
        assert cursor is not None
        _, cursor = audit.page(audit.Filters(), cursor)
    assert cursor is not None
    deep = f"{cursor.created_at.isoformat()}|{cursor.source}|{cursor.id}"
    urls = ["/ops/?days=7", "/ops/?days=30", "/ops/?days=365", "/ops/export/days.csv?days=365", "/ops/audit/",
            "/ops/audit/?action=library.&actor=u5", f"/ops/audit/?after={deep}"]

    def get(url: str) -> None:
        response = client.get(url, {} if "after=" not in url else None)
        assert response.status_code == 200, (url, response.status_code)

    for url in urls:
        timed(lambda u=url: get(u), 2)  # type: ignore[misc]  # warm up
    times: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(5):  # interleaved rounds, so noise hits all alike
        for url in urls:
            times[url] += timed(lambda u=url: get(u), max(1, n // 5))  # type: ignore[misc]
    return {url.split("?after=")[0] + ("?after=<page 22>" if "after=" in url else ""):
            {"p50_ms": round(statistics.median(v), 1), "p90_ms": round(percentile(v, 0.9), 1), "n": len(v)}
            for url, v in times.items()}


if __name__ == "__main__":
    main()
