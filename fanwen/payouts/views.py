"""提现 pages: the author's /me/payouts/ and the staff queue /ops/payouts/.  Thin: parse, call
services/selectors, render.  Errors come back as Chinese messages on the same page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fanwen.commerce.services.earnings import hold_days
from fanwen.commerce.services.errors import CommerceError
from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.payouts import rules, selectors, services
from fanwen.payouts.models import Method, Payout
from fanwen.web.auth import uid


@login_required
@never_cache
def my_payouts(request: HttpRequest) -> HttpResponse:
    user_id = uid(request)
    account = selectors.payout_account_of(user_id=user_id)
    payouts = selectors.payouts_of(user_id=user_id)
    return render(request, "payouts/my_payouts.html", {
        **selectors.earnings_summary(user_id=user_id),
        "account": account, "account_shown": selectors.account_shown(account),
        "payouts": [(p, selectors.payee_shown(p)) for p in payouts],
        "min_fen": services.min_fen(), "hold_days": hold_days(), "methods": Method.choices,
        "share_percent": settings.FANWEN_AUTHOR_SHARE_PERCENT,
    })


@login_required
@require_POST
def payout_request_post(request: HttpRequest) -> HttpResponse:
    try:
        amount_fen = yuan_to_fen(str(request.POST.get("amount_yuan", ""))[:20])
    except BadAmount:
        messages.error(request, "提现金额应为元，最多两位小数，例如 50 或 12.50")
        return redirect("/me/payouts/")
    try:
        payout = services.payout_request(user=request.user, amount_fen=amount_fen)
    except CommerceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已提交提现申请 #{payout.pk}，审核通过后打款。")
    return redirect("/me/payouts/")


@login_required
@require_POST
def payout_account_post(request: HttpRequest) -> HttpResponse:
    fields = ("method", "real_name", "alipay_login", "bank_name", "bank_branch", "bank_account_no")
    try:
        services.payout_account_set(user=request.user, **{f: str(request.POST.get(f, ""))[:200] for f in fields})
    except rules.AccountInvalid as exc:
        messages.error(request, f"收款账户未保存：{exc.message}")
    else:
        messages.success(request, "收款账户已保存。")
    return redirect("/me/payouts/")


def _staff(request: HttpRequest) -> Any:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404("页面不存在")
    return request.user


@never_cache
def ops_queue(request: HttpRequest) -> HttpResponse:
    _staff(request)
    status = str(request.GET.get("status", Payout.Status.REQUESTED))[:20]
    if status not in Payout.Status.values and status != "all":
        status = Payout.Status.REQUESTED
    return render(request, "payouts/ops_queue.html", {
        "queue": selectors.staff_queue(status=status)[:200], "status": status, "statuses": Payout.Status.choices,
    })


@require_POST
def ops_approve(request: HttpRequest, payout_id: int) -> HttpResponse:
    staff = _staff(request)
    try:
        if request.POST.get("method") == "alipay":
            payout = services.payout_approve_alipay(payout_id=payout_id, actor=staff)
            text = {"paid": "支付宝已到账", "rejected": f"支付宝转账失败，款项已退回作者：{payout.last_error}",
                    "processing": "已提交支付宝，结果未知，系统每分钟自动查询"}.get(payout.status, payout.status)
        else:
            payout = services.payout_mark_paid(payout_id=payout_id, actor=staff, reference=str(request.POST.get("reference", ""))[:200])
            text = "已标记为人工打款"
    except CommerceError as exc:
        messages.error(request, f"提现 #{payout_id}：{exc.message}")
    else:
        messages.success(request, f"提现 #{payout_id}：{text}")
    return redirect("/ops/payouts/")


@require_POST
def ops_reject(request: HttpRequest, payout_id: int) -> HttpResponse:
    staff = _staff(request)
    try:
        services.payout_reject(payout_id=payout_id, actor=staff, reason=str(request.POST.get("reason", ""))[:400])
    except CommerceError as exc:
        messages.error(request, f"提现 #{payout_id}：{exc.message}")
    else:
        messages.success(request, f"提现 #{payout_id} 已驳回，款项退回作者可提现余额")
    return redirect("/ops/payouts/")
