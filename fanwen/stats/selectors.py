"""Reads of the daily aggregates for the author dashboard.  A period is the last ``days`` days
ending today (local time).  Totals and the by-day series come from ``AuthorDay`` (one row per
day); the per-document table from ``DocumentMonth`` for whole months and ``DocumentDay`` for the
days before the first whole month, so a 365-day table reads about a dozen rows per document."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from fanwen.library.models import Document
from fanwen.library.selectors import MAX_ID
from fanwen.stats.models import COUNTERS, AuthorDay, DocumentDay, DocumentMonth

PERIODS = (7, 30, 365)
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
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + (values[name] or 0))

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
    documents: list[DocumentRow] = field(default_factory=list)
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
    """Totals, the by-day series (every day, zeros included) and every document of the author's
    with its numbers for the period, most net earnings first."""
    start, end = period(days)
    rows = AuthorDay.objects.filter(author_id=author_id, day__gte=start, day__lte=end)
    series = _series(rows.values("day", *COUNTERS), start, days)
    totals = Numbers()
    for row in series:
        totals.add(vars(row))
    return Overview(days, start, end, totals, series, documents=_documents(author_id, start, end))


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


def _documents(author_id: int, start: date, end: date) -> list[DocumentRow]:
    first_month = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    sums = {f"sum_{name}": Sum(name) for name in COUNTERS}
    docs = {
        pk: DocumentRow(document_id=pk, title=title, status=status)
        for pk, title, status in Document.objects.filter(author_id=author_id).values_list("pk", "title", "status")
    }
    parts = [
        DocumentMonth.objects.filter(author_id=author_id, month__gte=first_month, month__lte=end),
    ]
    if first_month > start:
        parts.append(DocumentDay.objects.filter(author_id=author_id, day__gte=start, day__lt=first_month))  # type: ignore[arg-type]
    for part in parts:
        for row in part.values("document_id").annotate(**sums).values("document_id", *sums).order_by():
            item = docs.get(row["document_id"])
            if item is not None:
                item.add({name: row[f"sum_{name}"] for name in COUNTERS})
    return sorted(docs.values(), key=lambda d: (-d.net_fen, -d.sales, -d.reads, -d.document_id))
