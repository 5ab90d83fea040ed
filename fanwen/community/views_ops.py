"""/ops/reports/: the staff queue of reports and complaints, and its decisions.  Staff only
(others get a 404); every decision goes through services_reports, which audits it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fanwen.community import selectors, services, services_reports
from fanwen.community.errors import CommunityError
from fanwen.community.models import Report


def _staff(request: HttpRequest) -> Any:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404("页面不存在")
    return request.user


@never_cache
def ops_reports(request: HttpRequest) -> HttpResponse:
    _staff(request)
    status = str(request.GET.get("status", Report.Status.OPEN))[:20]
    if status not in Report.Status.values and status != "all":
        status = Report.Status.OPEN
    return render(request, "community/ops_reports.html", {
        "queue": selectors.report_queue(status=status), "status": status, "statuses": Report.Status.choices,
        "threshold": selectors.flag_threshold(), "categories": selectors.report_categories(),
    })


@require_POST
def ops_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    actor = _staff(request)
    raw_category = str(request.POST.get("category_id", ""))[:12]
    try:
        closed = services_reports.report_resolve(
            report_id=report_id, action=str(request.POST.get("action", ""))[:20],
            reason=str(request.POST.get("reason", ""))[:2000], actor=actor,
            category_id=int(raw_category) if raw_category.isdigit() else None,
        )
    except CommunityError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已处理 {len(closed)} 条举报，举报人会收到结果通知。")
    return redirect("/ops/reports/")


@require_POST
def ops_review_hidden(request: HttpRequest, review_id: int, change: str) -> HttpResponse:
    actor = _staff(request)
    if change not in ("hide", "show"):
        raise Http404("页面不存在")
    try:
        services.review_set_hidden(review_id=review_id, hidden=change == "hide", actor=actor)
    except CommunityError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, "评价已隐藏，不再计入评分。" if change == "hide" else "评价已恢复显示。")
    return redirect("/ops/reports/")
