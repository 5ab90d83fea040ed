"""The ops console's dashboard (/ops/) and audit log (/ops/audit/): staff only (anonymous →
login, others → 404, like /ops/payouts/).  Thin: parse, call selectors, render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fanwen.ops import audit, present, selectors
from fanwen.stats.selectors import PERIODS, period_days


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise Http404("页面不存在")
        return view(request, *args, **kwargs)
    return wrapped


@require_safe
@never_cache
@staff_only
def dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(days=period_days(request.GET.get("days")))
    measure = present.measure_get(request.GET.get("m"))
    age = board.waiting.backlog_age
    return render(request, "ops/dashboard.html", {
        "b": board, "days": board.days, "periods": PERIODS, "measure": measure, "measures": present.MEASURES,
        "chart": present.chart_by_day(board.series, measure),
        "funnel": present.funnel(board.totals),
        "funnel_chart": present.chart_bars("阅读漏斗（次）", [(label, n) for label, n, _ in present.funnel(board.totals)]),
        "top_chart": present.chart_bars("热门搜索（次）", board.top_queries),
        "zero_chart": present.chart_bars("无结果搜索（次）", board.zero_queries),
        "day_rows": present.day_rows_html(board.series),
        "backlog_age": present.age_text(age.total_seconds() if age else None),
    })


@require_safe
@never_cache
@staff_only
def days_csv(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(days=period_days(request.GET.get("days")))
    return _csv(present.csv_days(board), f"fanwen-ops-{board.days}d-days.csv")


@require_safe
@never_cache
@staff_only
def searches_csv(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(days=period_days(request.GET.get("days")))
    return _csv(present.csv_searches(board), f"fanwen-ops-{board.days}d-searches.csv")


@require_safe
@never_cache
@staff_only
def audit_log(request: HttpRequest) -> HttpResponse:
    get = request.GET
    filters = audit.Filters(
        action=get.get("action", "").strip()[:80], actor=get.get("actor", "").strip()[:150],
        subject_type=get.get("subject_type", "").strip()[:60], subject_id=get.get("subject_id", "").strip()[:40],
        since=_date(get.get("since")), until=_date(get.get("until")),
    )
    after = audit.parse_cursor(get.get("after"))
    rows, more = audit.page(filters, after)
    query = {k: get.get(k, "") for k in ("action", "actor", "subject_type", "subject_id", "since", "until")}
    next_cursor = f"{more.created_at.isoformat()}|{more.source}|{more.id}" if more else ""
    return render(request, "ops/audit.html", {
        "rows": rows, "q": query, "next_cursor": next_cursor, "paged": after is not None,
        "bad_dates": any(get.get(k) and _date(get.get(k)) is None for k in ("since", "until")),
    })


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None


def _csv(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
