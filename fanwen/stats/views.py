"""The author dashboard (/studio/stats/): thin — parse the period, call selectors, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fanwen.stats import present, selectors

DOCUMENTS_PER_PAGE = 50


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    days = selectors.period_days(request.GET.get("days"))
    measure = present.measure_get(request.GET.get("m"))
    if not selectors.author_has_documents(author_id=_me(request)):
        return render(request, "stats/empty.html", {"days": days})
    overview = selectors.author_overview(author_id=_me(request), days=days)
    stored = None
    if selectors.author_document_count(author_id=_me(request)) > selectors.LIVE_DOCUMENTS_MAX:
        stored = selectors.documents_stored(author_id=_me(request), days=days)
    documents: Page[Any]
    if stored is None:  # aggregated now
        documents = Paginator(selectors.documents_live(author_id=_me(request), days=days), DOCUMENTS_PER_PAGE).get_page(
            request.GET.get("page"))
        shown = list(documents.object_list)
    else:  # a big author's table as the worker computed it (documents with numbers only)
        documents = Paginator(stored[0], DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
        shown = selectors.document_rows(documents.object_list)
    rows = present.document_rows_html(shown, days=overview.days)
    return render(request, "stats/dashboard.html", _context(
        overview, measure, page=documents, document_rows=rows, computed_at=stored[1].computed_at if stored else None))


@require_safe
@login_required
def document_stats(request: HttpRequest, document_id: int) -> HttpResponse:
    days = selectors.period_days(request.GET.get("days"))
    overview = _document_or_404(request, document_id, days)
    return render(request, "stats/document.html", _context(overview, present.measure_get(request.GET.get("m"))))


@require_safe
@login_required
def days_csv(request: HttpRequest) -> HttpResponse:
    overview = selectors.author_overview(author_id=_me(request), days=selectors.period_days(request.GET.get("days")))
    return _csv(present.csv_days(overview.series), f"fanwen-stats-{overview.days}d-days.csv")


@require_safe
@login_required
def documents_csv(request: HttpRequest) -> HttpResponse:
    days = selectors.period_days(request.GET.get("days"))
    documents = selectors.documents_live(author_id=_me(request), days=days)
    return _csv(present.csv_documents(documents), f"fanwen-stats-{days}d-documents.csv")


@require_safe
@login_required
def document_days_csv(request: HttpRequest, document_id: int) -> HttpResponse:
    overview = _document_or_404(request, document_id, selectors.period_days(request.GET.get("days")))
    return _csv(present.csv_days(overview.series), f"fanwen-stats-d{document_id}-{overview.days}d.csv")


def _me(request: HttpRequest) -> int:
    assert request.user.pk is not None  # login_required
    return int(request.user.pk)


def _document_or_404(request: HttpRequest, document_id: int, days: int) -> selectors.Overview:
    overview = selectors.document_overview(author_id=_me(request), document_id=document_id, days=days)
    if overview is None:  # not the author's own: the same answer as a document that does not exist
        raise Http404("文档不存在")
    return overview


def _context(overview: selectors.Overview, measure: present.Measure, **extra: object) -> dict[str, object]:
    return {
        "o": overview,
        "days": overview.days,
        "periods": selectors.PERIODS,
        "measure": measure,
        "measures": present.MEASURES,
        "chart": present.chart_data(overview.series, measure),
        "day_rows": present.day_rows_html(overview.series),
        **extra,
    }


def _csv(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
