"""Reads for the operator dashboard (/ops/): the site's numbers by day for the last 7/30/365
days, each series from one GROUP BY over an indexed date column (orders by ``created_at``,
documents by ``created_at``, ``SiteDay`` by ``day``), plus a few counts of what is waiting
now.  The search panels group up to 90 days of the search log by query (a million rows on a
busy site), so they are a snapshot in the cache that the worker refreshes every 10 minutes;
the days before today are cached for an hour (``_past_days``), today is always live.  Amounts are integer fen.  No document text: titles at most."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import FieldError
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fanwen.commerce.models import Order, Refund
from fanwen.commerce.selectors import refunds_needing_staff
from fanwen.library.models import Document
from fanwen.ops.models import SiteDay
from fanwen.payouts.models import Payout
from fanwen.search.models import SearchQueryDay
from fanwen.stats.selectors import PERIODS, period

#: Where open reports live once the community app has landed: the model's label and the filter
#: of an open report.  Until the model exists the tile reads "举报功能未启用".
REPORT_MODEL = "community.Report"
REPORT_OPEN = {"status": "open"}
TOP_QUERIES = 20
#: An order is paid within its expiry window, so a day's payments are among the orders created
#: since that many days before it — which lets the paid-by-day query use the created_at index.
PAY_WINDOW_DAYS = 2
SEARCH_REFRESH = timedelta(minutes=10)
SEARCH_STALE = timedelta(minutes=30)
PAST_DAYS_FOR = timedelta(hours=1)

SERIES = ("paid", "paid_fen", "refunds", "refunds_fen", "users", "uploads", "pending", "reads", "paywall_views",
          "checkouts", "checkouts_paid")


@dataclass
class OpsDay:
    day: date
    paid: int = 0  # orders paid that day (every kind)
    paid_fen: int = 0
    refunds: int = 0  # refunds completed that day
    refunds_fen: int = 0
    users: int = 0  # accounts created
    uploads: int = 0  # documents created
    pending: int = 0  # of those, still waiting for review
    reads: int = 0  # document views (stats)
    paywall_views: int = 0
    checkouts: int = 0  # document orders created
    checkouts_paid: int = 0  # of those, paid


@dataclass
class Waiting:
    backlog: int
    backlog_oldest: datetime | None
    payouts: int
    payouts_fen: int
    reports: int | None  # None: reports are not enabled
    refunds_stuck: int = 0  # refunds the provider kept refusing (需人工处理)

    @property
    def backlog_age(self) -> timedelta | None:
        return timezone.now() - self.backlog_oldest if self.backlog_oldest else None


@dataclass
class Dashboard:
    days: int
    start: date
    end: date
    series: list[OpsDay]
    totals: OpsDay
    waiting: Waiting
    top_queries: list[tuple[str, int]] = field(default_factory=list)
    zero_queries: list[tuple[str, int]] = field(default_factory=list)
    searches: int = 0
    searches_at: datetime | None = None  # when the search panels were computed


def dashboard(*, days: int) -> Dashboard:
    start, end = period(days)
    rows = {start + timedelta(days=i): OpsDay(day=start + timedelta(days=i)) for i in range(days)}
    for day, values in _past_days(start, end) + _by_day(end, end):
        row = rows.get(day)
        if row is not None:
            for name, value in values.items():  # PostgreSQL sums are Decimal
                setattr(row, name, getattr(row, name) + int(value or 0))
    series = list(rows.values())
    totals = OpsDay(day=end)
    for row in series:
        for name in SERIES:
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
    snapshot = search_snapshot(days)
    return Dashboard(days, start, end, series, totals, waiting(), snapshot["top"], snapshot["zero"],
                     snapshot["searches"], snapshot["at"])


def _past_days(start: date, end: date) -> list[tuple[date, dict[str, Any]]]:
    """The period's days before today, from the cache (computed at most PAST_DAYS_FOR ago):
    a closed day's sales, refunds, sign-ups and views no longer change; only its uploads still
    waiting for review do, so those lag by up to that long.  Today is always read live."""
    key = f"ops:days:{start.isoformat()}:{end.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        rows = _by_day(start, end - timedelta(days=1))
        cache.set(key, rows, int(PAST_DAYS_FOR.total_seconds()))
    return list(rows)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, datetime.min.time(), tzinfo=tz),
            datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz))


def _by_day(start: date, end: date) -> list[tuple[date, dict[str, Any]]]:
    """Every daily series, one GROUP BY query each."""
    lo, hi = _bounds(start, end)
    out: list[tuple[date, dict[str, Any]]] = []
    paid = (Order.objects.filter(created_at__gte=lo - timedelta(days=PAY_WINDOW_DAYS), created_at__lt=hi,
                                 paid_at__gte=lo, paid_at__lt=hi)
            .annotate(d=TruncDate("paid_at")).values("d").annotate(paid=Count("id"), paid_fen=Sum("amount_fen")))
    checkouts = (Order.objects.filter(created_at__gte=lo, created_at__lt=hi, kind=Order.Kind.DOCUMENT)
                 .annotate(d=TruncDate("created_at")).values("d")
                 .annotate(checkouts=Count("id"), checkouts_paid=Count("id", filter=Q(paid_at__isnull=False))))
    refunds = (Refund.objects.filter(status=Refund.Status.DONE, done_at__gte=lo, done_at__lt=hi)
               .annotate(d=TruncDate("done_at")).values("d").annotate(refunds=Count("id"), refunds_fen=Sum("amount_fen")))
    users = (get_user_model().objects.filter(date_joined__gte=lo, date_joined__lt=hi)
             .annotate(d=TruncDate("date_joined")).values("d").annotate(users=Count("id")))
    uploads = (Document.objects.filter(created_at__gte=lo, created_at__lt=hi).annotate(d=TruncDate("created_at"))
               .values("d").annotate(uploads=Count("id"), pending=Count("id", filter=Q(status=Document.Status.PENDING))))
    views = SiteDay.objects.filter(day__gte=start, day__lte=end)
    for query in (paid, checkouts, refunds, users, uploads):
        for row in query.order_by():
            day = row.pop("d")
            out.append((day, row))
    for day, reads, paywall_views in views.values_list("day", "reads", "paywall_views"):
        out.append((day, {"reads": reads, "paywall_views": paywall_views}))
    return out


def waiting() -> Waiting:
    backlog = Document.objects.filter(status=Document.Status.PENDING).aggregate(n=Count("id"), oldest=Min("created_at"))
    payouts = Payout.objects.filter(status__in=[Payout.Status.REQUESTED, Payout.Status.PROCESSING]).aggregate(
        n=Count("id"), fen=Sum("amount_fen"))
    return Waiting(backlog["n"], backlog["oldest"], payouts["n"], int(payouts["fen"] or 0), open_reports(),
                   refunds_needing_staff())


def open_reports() -> int | None:
    """Open reports, or None while the reports model (``REPORT_MODEL``) is not installed."""
    label = getattr(settings, "FANWEN_OPS_REPORT_MODEL", REPORT_MODEL)
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    try:
        return int(model._default_manager.filter(**getattr(settings, "FANWEN_OPS_REPORT_OPEN", REPORT_OPEN)).count())
    except FieldError:
        return None


def search_snapshot(days: int) -> dict[str, Any]:
    """The search panels for the last ``days`` days as last computed (at most SEARCH_STALE old
    while the worker runs); computed now when there is none."""
    snapshot = cache.get(_snapshot_key(days))
    if snapshot is None:
        snapshot = _search_snapshot_compute(days)
    return dict(snapshot)


def search_snapshots_refresh() -> None:
    """The worker: recompute each period's panels when its snapshot is older than SEARCH_REFRESH."""
    now = timezone.now()
    for days in PERIODS:
        snapshot = cache.get(_snapshot_key(days))
        if snapshot is None or now - snapshot["at"] >= SEARCH_REFRESH:
            _search_snapshot_compute(days)


def _snapshot_key(days: int) -> str:
    return f"ops:searches:{days}:{timezone.localdate().isoformat()}"


def _search_snapshot_compute(days: int) -> dict[str, Any]:
    start, end = period(days)
    top, zero, searches = search_figures(start, end)
    snapshot = {"top": top, "zero": zero, "searches": searches, "at": timezone.now()}
    cache.set(_snapshot_key(days), snapshot, int(SEARCH_STALE.total_seconds()))
    return snapshot


def search_figures(start: date, end: date) -> tuple[list[tuple[str, int]], list[tuple[str, int]], int]:
    """The period's top queries, top queries that found nothing, and the number of searches."""
    rows = SearchQueryDay.objects.filter(day__gte=start, day__lte=end)
    top = rows.values("query").annotate(n=Sum("searches")).order_by("-n", "query")[:TOP_QUERIES]
    zero = (rows.filter(zero_results__gt=0).values("query").annotate(n=Sum("zero_results"))
            .order_by("-n", "query")[:TOP_QUERIES])
    total = rows.aggregate(n=Sum("searches"))["n"] or 0
    return [(r["query"], int(r["n"])) for r in top], [(r["query"], int(r["n"])) for r in zero], int(total)
