"""The staff review queue /ops/review/: thin — parse, call services/selectors, render.
Anyone but staff gets a 404 (the pages' existence is not advertised)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fanwen.access import gate
from fanwen.library import selectors as library_selectors
from fanwen.library import versions
from fanwen.library.models import Document
from fanwen.library.services import DocumentChangeRefused
from fanwen.moderation import selectors, services


def _staff(request: HttpRequest) -> Any:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404("页面不存在")
    return request.user


@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "moderation/queue.html", {
        "queue": selectors.review_queue(), "templates": services.REJECT_TEMPLATES,
        "versions": list(library_selectors.versions_pending())})


@never_cache
def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    staff = _staff(request)
    document = gate.document_get_visible(document_id=document_id, user=staff)
    if document is None:
        raise Http404("文档不存在")
    full = gate.gated_view(staff, document)
    anonymous = gate.gated_view(AnonymousUser(), document)
    first_paid = next((i for i, b in enumerate(full.blocks) if b.paid), None)
    return render(request, "moderation/detail.html", {
        "document": document, "full": full, "anonymous": anonymous, "first_paid": first_paid,
        "history": selectors.author_history(author_id=document.author_id),
        "matches": selectors.matches_of(document_id=document.pk),
        "pending": document.status == Document.Status.PENDING, "templates": services.REJECT_TEMPLATES,
    })


@never_cache
def compare(request: HttpRequest, document_id: int, other_id: int) -> HttpResponse:
    _staff(request)
    found = selectors.comparison(document_id=document_id, other_id=other_id)
    if found is None:
        raise Http404("没有这对疑似重复")
    return render(request, "moderation/compare.html", {"c": found})


@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    ids = [int(i) for i in request.POST.getlist("document") if str(i).isdigit() and len(str(i)) < 18]
    approve = request.POST.get("action") == "approve"
    reason = str(request.POST.get("reason_text", "")).strip() or str(request.POST.get("reason", ""))
    if not approve and reason not in services.REJECT_TEMPLATES and not str(request.POST.get("reason_text", "")).strip():
        reason = ""
    try:
        decided = services.review_decide(document_ids=ids, approve=approve, reason=reason, actor=staff)
    except services.ReviewRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'通过' if approve else '驳回'} {len(decided)} 篇文档")
    return redirect("/ops/review/")


@require_POST
def decide_version(request: HttpRequest, version_id: int) -> HttpResponse:
    """A pending new version of a published document: approve (the live text is swapped) or
    send back with a reason (the live version stays)."""
    staff = _staff(request)
    reason = str(request.POST.get("reason_text", "")).strip() or str(request.POST.get("reason", "")).strip()
    try:
        if request.POST.get("action") == "approve":
            version = versions.version_approve(version_id=version_id, actor=staff)
            messages.success(request, f"已通过《{version.title}》的第 {version.number} 版")
        else:
            version = versions.version_reject(version_id=version_id, actor=staff, reason=reason)
            messages.success(request, f"已退回《{version.title}》的新版本")
    except DocumentChangeRefused as exc:
        messages.error(request, exc.message)
    return redirect("/ops/review/")
