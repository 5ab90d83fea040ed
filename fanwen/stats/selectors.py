"""Reads of the daily aggregates for the author dashboard.  A period is the last ``days`` days
ending today (local time).  Totals and the by-day series come from ``AuthorDay`` (one row per
day, always current).  The per-document table is aggregated on request (``documents_live``:
``DocumentMonth`` for whole months, ``DocumentDay`` before the first) for authors with up to
``LIVE_DOCUMENTS_MAX`` documents; bigger authors read ``DocumentPeriod``, which the worker
refreshes every minute when their numbers changed (``documents_stored``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from fanwen.library.models import Document
from fanwen.library.selectors import MAX_ID
from fanwen.stats.models import COUNTERS, AuthorDay, AuthorPeriods, DocumentDay, DocumentMonth, DocumentPeriod

PERIODS = (7, 30, 365)
LIVE_DOCUMENTS_MAX = 1000
DEFAULT_DAYS = 30


@dataclass
class Numbers:
    reads: int = 0
    paywall_views: int = 0
    sales: int = 0
    sales_fen: int = 0
    refunds: int = 0
    refunds_fen: int = 0
    net_fen: int = 0

    def add(self, values: Any) -> None:
        """Add a row (a mapping with every counter; None counts as 0)."""
        self.reads += values["reads"] or 0
        self.paywall_views += values["paywall_views"] or 0
        self.sales += values["sales"] or 0
        self.sales_fen += values["sales_fen"] or 0
        self.refunds += values["refunds"] or 0
        self.refunds_fen += values["refunds_fen"] or 0
        self.net_fen += values["net_fen"] or 0

    @property
    def conversion(self) -> float | None:
        """Sales ÷ reads, or None with no reads."""
        return self.sales / self.reads if self.reads else None

    @property
    def conversion_text(self) -> str:
        rate = self.conversion
        return "—" if rate is None else f"{rate * 100:.2f}%"


@dataclass
class DayRow(Numbers):
    day: date = date.min


@dataclass
class DocumentRow(Numbers):
    document_id: int = 0
    title: str = ""
    status: str = ""


@dataclass
class Overview:
    days: int
    start: date
    end: date
    totals: Numbers
    series: list[DayRow]
    document: Document | None = None


def period_days(raw: str | None) -> int:
    """The period asked for, or the default for anything else."""
    try:
        days = int(raw or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


def period(days: int) -> tuple[date, date]:
    end = timezone.localdate()
    return end - timedelta(days=days - 1), end


def author_overview(*, author_id: int, days: int) -> Overview:
    """Totals and the by-day series (every day, zeros included)."""
    start, end = period(days)
    rows = AuthorDay.objects.filter(author_id=author_id, day__gte=start, day__lte=end)
    series = _series(rows.values("day", *COUNTERS), start, days)
    totals = Numbers()
    for row in series:
        totals.add(vars(row))
    return Overview(days, start, end, totals, series)


def document_overview(*, author_id: int, document_id: int, days: int) -> Overview | None:
    """One of the author's documents; None when it is not theirs (or does not exist)."""
    if not 0 < document_id <= MAX_ID:  # out-of-range ids are "not found", not a database error
        return None
    document = Document.objects.filter(pk=document_id, author_id=author_id).only("pk", "title", "status").first()
    if document is None:
        return None
    start, end = period(days)
    rows = DocumentDay.objects.filter(document_id=document_id, day__gte=start, day__lte=end)
    series = _series(rows.values("day", *COUNTERS), start, days)
    totals = Numbers()
    for row in series:
        totals.add(vars(row))
    return Overview(days, start, end, totals, series, document=document)


def author_has_documents(*, author_id: int) -> bool:
    return Document.objects.filter(author_id=author_id).exists()


def _series(rows: QuerySet[Any, dict[str, Any]], start: date, days: int) -> list[DayRow]:
    found = {row["day"]: row for row in rows}
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        item = DayRow(day=day)
        if day in found:
            item.add(found[day])
        out.append(item)
    return out


def documents_live(*, author_id: int, days: int) -> list[DocumentRow]:
    """Every document of the author's with its numbers for the period, most net earnings
    first: aggregated now (DocumentMonth for whole months, DocumentDay before the first)."""
    start, end = period(days)
    first_month = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    docs = {
        pk: DocumentRow(document_id=pk, title=title, status=status)
        for pk, title, status in Document.objects.filter(author_id=author_id).values_list("pk", "title", "status")
    }
    columns = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    month, day = DocumentMonth._meta.db_table, DocumentDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document_id, {sums} FROM ("  # noqa: S608 (names are ours)
            f" SELECT document_id, {columns} FROM {month} WHERE author_id = %s AND month >= %s AND month <= %s"
            f" UNION ALL SELECT document_id, {columns} FROM {day} WHERE author_id = %s AND day >= %s AND day < %s"
            ") AS parts GROUP BY document_id",
            [author_id, first_month, end, author_id, start, first_month],
        )
        for document_id, *values in cursor.fetchall():
            item = docs.get(document_id)
            if item is not None:
                item.add(dict(zip(COUNTERS, (int(v or 0) for v in values), strict=True)))  # PostgreSQL: numeric
    return sorted(docs.values(), key=_rank)


def _rank(d: DocumentRow) -> tuple[int, int, int, int]:
    return (-d.net_fen, -d.sales, -d.reads, d.document_id)


def documents_stored(*, author_id: int, days: int) -> tuple[QuerySet[Any, dict[str, Any]], AuthorPeriods] | None:
    """A big author's table as the worker last computed it (DocumentPeriod), best first, or
    None when it has not been computed for today yet."""
    state = AuthorPeriods.objects.filter(author_id=author_id, as_of=timezone.localdate()).first()
    if state is None:
        return None
    rows = (
        DocumentPeriod.objects.filter(author_id=author_id, days=days)
        .order_by("-net_fen", "-sales", "-reads", "document_id")
        .values("document_id", "document__title", *COUNTERS)
    )
    return rows, state


def document_rows(values: Iterable[dict[str, Any]]) -> list[DocumentRow]:
    out = []
    for row in values:
        item = DocumentRow(document_id=row["document_id"], title=row["document__title"])
        item.add(row)
        out.append(item)
    return out


def author_document_count(*, author_id: int) -> int:
    return Document.objects.filter(author_id=author_id).count()
