"""Writes to the daily aggregates.  Two feeds, both batched:

* reads and paywall views: :func:`counts_on_views_flushed` listens to the library's read-count
  flush (``library/view_counts.py``) and adds that flush's counts to today's rows, inside the
  flush's transaction — no write per request;
* sales, refunds and net earnings: :func:`stats_rollup` reads commerce's ledger (read only)
  after a high-water mark and adds each ledger transaction once (see its docstring).

Every delta goes to ``DocumentDay``, ``DocumentMonth`` and ``AuthorDay`` by one upsert that adds
to the stored counters (``INSERT … ON CONFLICT DO UPDATE SET c = c + excluded.c``; SQLite ≥ 3.24
and PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from fanwen.commerce.models import LedgerEntry, LedgerTransaction, Order
from fanwen.library.models import Document
from fanwen.stats import selectors
from fanwen.stats.models import (
    COUNTERS,
    AuthorChanged,
    AuthorDay,
    AuthorPeriods,
    DocumentDay,
    DocumentMonth,
    DocumentPeriod,
    RolledUpTransaction,
    RollupState,
)

#: ledger transactions this recent are re-read on every run (PostgreSQL may commit a lower id
#: after a higher one); those already counted are skipped by their RolledUpTransaction row.
RECENT_WINDOW = timedelta(hours=1)
ROLLUP_BATCH = 5000
SALE_KIND = "order.paid"
AUTHOR_ACCOUNT_PREFIX = "author:"  # author:<id> and its sub-accounts (author:<id>:pending)
_CHUNK = 400

Delta = tuple[int, int, date, dict[str, int]]  # document id, author id, day, {counter: amount}


def stats_add(deltas: Iterable[Delta]) -> int:
    """Add counters to the three aggregate tables (call inside a transaction).  Returns the
    number of (document, day) rows touched."""
    by_day: dict[tuple[int, int, date], list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for document_id, author_id, day, values in deltas:
        row = by_day[(document_id, author_id, day)]
        for i, name in enumerate(COUNTERS):
            row[i] += values.get(name, 0)
    by_month: dict[tuple[int, int, date], list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    by_author: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for (document_id, author_id, day), row in by_day.items():
        for target in (by_month[(document_id, author_id, day.replace(day=1))], by_author[(author_id, day)]):
            for i, value in enumerate(row):
                target[i] += value
    _upsert(DocumentDay._meta.db_table, ("document_id", "author_id", "day"), ("document_id", "day"), by_day)
    _upsert(DocumentMonth._meta.db_table, ("document_id", "author_id", "month"), ("document_id", "month"), by_month)
    _upsert(AuthorDay._meta.db_table, ("author_id", "day"), ("author_id", "day"), by_author)
    authors = sorted({author_id for author_id, _ in by_author})
    if authors:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {AuthorChanged._meta.db_table} (author_id) VALUES "  # noqa: S608 (names are ours)
                + ", ".join(["(%s)"] * len(authors)) + " ON CONFLICT (author_id) DO NOTHING",
                authors,
            )
    return len(by_day)


def _upsert(table: str, keys: tuple[str, ...], unique: tuple[str, ...], rows: dict[Any, list[int]]) -> None:
    columns = keys + COUNTERS
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    # In key order, so that two concurrent flushes lock the rows in the same order (no deadlock).
    items = [(*key, *values) for key, values in sorted(rows.items()) if any(values)]
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholder] * len(chunk))} "  # noqa: S608 (names are ours)
                f"ON CONFLICT ({', '.join(unique)}) DO UPDATE SET {updates}",
                [value for item in chunk for value in item],
            )


def counts_on_views_flushed(sender: Any, *, counts: dict[int, tuple[int, int]], **kwargs: Any) -> None:
    """Receiver of ``library.view_counts.views_flushed``: today's reads and paywall views."""
    authors = dict(
        Document.objects.filter(pk__in=list(counts), author__isnull=False).values_list("pk", "author_id")
    )
    today = timezone.localdate()
    stats_add(
        (pk, authors[pk], today, {"reads": reads, "paywall_views": paywall})
        for pk, (reads, paywall) in counts.items()
        if pk in authors
    )


def stats_rollup(*, batch: int = ROLLUP_BATCH, max_batches: int | None = None) -> int:
    """Roll commerce's ledger up into the daily sales, refunds and net earnings.  Returns how
    many ledger transactions were read.

    Incremental: ledger transactions of document orders after ``RollupState.last_transaction_id``,
    in id order, ``batch`` at a time, plus recent ones (``RECENT_WINDOW``) not yet counted.
    Idempotent: each batch adds its deltas, records the recent transactions it counted and moves
    the mark in ONE database transaction, under a lock on the state row, so a re-run (or a
    concurrent run) never counts a transaction twice.

    Per ledger transaction, on its local day: ``order.paid`` is a sale (sales + 1, ``sales_fen`` +
    the order amount, net + the author's share booked on ``author:*`` accounts); any other
    transaction that takes money out of the author's accounts is a refund (refunds + 1,
    ``refunds_fen`` + the order amount, net − the share taken back).  Moves between the author's
    own accounts (pending → available) sum to zero there and count as nothing."""
    RollupState.objects.get_or_create(pk=1)
    done = batches = 0
    while max_batches is None or batches < max_batches:
        read = _rollup_batch(batch)
        done, batches = done + read, batches + 1
        if read < batch:
            break
    _marks_prune()
    return done


def _rollup_batch(batch: int) -> int:
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(pk=1)
        last = state.last_transaction_id
        counted = RolledUpTransaction.objects.filter(transaction_id=OuterRef("pk"))
        base = LedgerTransaction.objects.filter(order__kind=Order.Kind.DOCUMENT).exclude(Exists(counted))
        fields = ("pk", "kind", "created_at", "order__document_id", "order__document__author_id", "order__amount_fen")
        fresh = list(base.filter(pk__gt=last).order_by("pk").values_list(*fields)[:batch])
        late = list(base.filter(pk__lte=last, created_at__gte=timezone.now() - RECENT_WINDOW).values_list(*fields))
        rows = late + fresh
        if not rows:
            return 0
        shares = dict(
            LedgerEntry.objects.filter(
                transaction_id__in=[r[0] for r in rows], account__code__startswith=AUTHOR_ACCOUNT_PREFIX
            )
            .values("transaction_id")
            .annotate(share=Sum("amount_fen"))
            .values_list("transaction_id", "share")
        )
        stats_add(_deltas(rows, shares))
        recent = timezone.now() - RECENT_WINDOW - timedelta(minutes=5)
        RolledUpTransaction.objects.bulk_create(
            [RolledUpTransaction(transaction_id=r[0], transaction_at=r[2]) for r in rows if r[2] >= recent]
        )
        if fresh:
            state.last_transaction_id = fresh[-1][0]
            state.save(update_fields=["last_transaction_id", "updated_at"])
        return len(fresh)


def _deltas(rows: list[tuple[Any, ...]], shares: dict[int, int]) -> Iterable[Delta]:
    for pk, kind, created_at, document_id, author_id, amount_fen in rows:
        if author_id is None:
            continue
        share = shares.get(pk) or 0
        day = timezone.localdate(created_at)
        if kind == SALE_KIND:
            yield document_id, author_id, day, {"sales": 1, "sales_fen": amount_fen, "net_fen": share}
        elif share < 0:
            yield document_id, author_id, day, {"refunds": 1, "refunds_fen": amount_fen, "net_fen": share}


def _marks_prune() -> None:
    RolledUpTransaction.objects.filter(
        transaction_at__lt=timezone.now() - 2 * RECENT_WINDOW - timedelta(minutes=10)
    ).delete()


def stats_periods_refresh() -> int:
    """Recompute ``DocumentPeriod`` (7/30/365 days) for big authors (more than
    ``selectors.LIVE_DOCUMENTS_MAX`` documents) whose numbers changed, and for all of them once a
    day (the windows move at midnight).  Returns how many authors were refreshed.  The worker
    runs it every minute; smaller authors' tables are aggregated on request."""
    today = timezone.localdate()
    with transaction.atomic():
        changed = set(AuthorChanged.objects.values_list("author_id", flat=True))
        AuthorChanged.objects.filter(author_id__in=changed).delete()  # claimed: a later change marks again
    stale = set(AuthorPeriods.objects.exclude(as_of=today).values_list("author_id", flat=True))
    candidates = sorted(changed | stale)
    big = set(
        Document.objects.filter(author_id__in=candidates).values("author_id").annotate(n=Count("pk"))
        .filter(n__gt=selectors.LIVE_DOCUMENTS_MAX).values_list("author_id", flat=True)
    )
    small = [a for a in candidates if a not in big]  # aggregated on request: nothing kept for them
    AuthorPeriods.objects.filter(author_id__in=small).delete()
    DocumentPeriod.objects.filter(author_id__in=small).delete()
    done = 0
    for author_id in sorted(big):
        computed_at = timezone.now()
        rows = [
            DocumentPeriod(document_id=d.document_id, author_id=author_id, days=days,
                           **{name: getattr(d, name) for name in COUNTERS})
            for days in selectors.PERIODS
            for d in selectors.documents_live(author_id=author_id, days=days)
            if d.reads or d.paywall_views or d.sales or d.refunds or d.net_fen
        ]
        with transaction.atomic():
            DocumentPeriod.objects.filter(author_id=author_id).delete()
            DocumentPeriod.objects.bulk_create(rows, batch_size=2000)
            AuthorPeriods.objects.update_or_create(
                author_id=author_id, defaults={"as_of": today, "computed_at": computed_at}
            )
        done += 1
    return done
