"""Reader pages of the community app: 收藏, 评价, 举报 and the rights holder's complaint.  Thin:
parse, call services, say what happened in Chinese.  Forms work without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from fanwen.access import gate
from fanwen.community import services, services_reports
from fanwen.community.errors import CommunityError
from fanwen.community.models import Report, Review
from fanwen.web.auth import uid
from fanwen.web.client_address import client_address


def _document_or_404(request: HttpRequest, document_id: int):  # type: ignore[no-untyped-def]
    document = gate.document_get_visible(document_id=document_id, user=request.user)
    if document is None:
        raise Http404("文档不存在")
    return document


@login_required
@require_POST
def favorite_toggle(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        now = services.favorite_toggle(user=request.user, document_id=document_id)
    except CommunityError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "已收藏，可在“我的文库”中找到。" if now else "已取消收藏。")
    return redirect(f"/d/{document_id}/#reviews")


@login_required
@require_POST
def review_post(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        _, created = services.review_save(user=request.user, document_id=document_id,
                                          stars=request.POST.get("stars", ""), text=request.POST.get("text", "")[:2000])
    except CommunityError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "评价已发布，谢谢！" if created else "评价已修改。")
    return redirect(f"/d/{document_id}/#reviews")


@login_required
@require_POST
def history_clear(request: HttpRequest) -> HttpResponse:
    services.history_clear(user_id=uid(request))
    messages.success(request, "已清空最近阅读。")
    return redirect("/me/#history")


def _review_param(request: HttpRequest, document_id: int) -> Review | None:
    raw = str(request.GET.get("review") or request.POST.get("review") or "")[:12]
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("评价不存在")
    review = Review.objects.filter(pk=int(raw), document_id=document_id, hidden=False).first()
    if review is None:
        raise Http404("评价不存在")
    return review


@csrf_protect
@never_cache
def report(request: HttpRequest, document_id: int) -> HttpResponse:
    """举报 a document or one of its reviews; anonymous readers are offered sign-in or the
    copyright complaint form."""
    document = _document_or_404(request, document_id)
    review = _review_param(request, document_id)
    context = {"doc": document, "review": review, "reasons": Report.Reason.choices, "values": {}}
    if request.method == "POST" and request.user.is_authenticated:
        values = {k: str(request.POST.get(k, ""))[:2000] for k in ("reason", "note")}
        try:
            services_reports.report_create(user=request.user, document_id=document_id, reason=values["reason"],
                                           note=values["note"], review_id=review.pk if review else None)
        except CommunityError as exc:
            return render(request, "community/report.html", {**context, "error": exc.message, "values": values},
                          status=exc.status if exc.status in (400, 409, 429) else 400)
        messages.success(request, "举报已提交，处理结果会通过站内信通知您。")
        return redirect(f"/d/{document_id}/")
    return render(request, "community/report.html", context)


COMPLAINT_FIELDS = ("name", "email", "phone", "work", "statement")


@csrf_protect
@never_cache
def complaint(request: HttpRequest, document_id: int) -> HttpResponse:
    """A rights holder's copyright complaint: no account needed."""
    document = _document_or_404(request, document_id)
    values = {k: str(request.POST.get(k, ""))[:2000] for k in COMPLAINT_FIELDS} if request.method == "POST" else {}
    if request.method == "POST":
        try:
            filed = services_reports.complaint_create(document_id=document_id, address=client_address(request),
                                                      **values)
        except CommunityError as exc:
            return render(request, "community/complaint.html", {"doc": document, "values": values, "error": exc.message},
                          status=exc.status if exc.status in (400, 429) else 400)
        return render(request, "community/complaint.html", {"doc": document, "filed": filed})
    return render(request, "community/complaint.html", {"doc": document, "values": values})
