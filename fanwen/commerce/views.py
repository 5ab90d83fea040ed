"""Buying pages: the buy flow from the paywall card, orders, wallet, membership, earnings,
and the sandbox checkout.  Thin: parse, call services/selectors, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fanwen.access import gate
from fanwen.access import selectors as access_selectors
from fanwen.commerce import selectors
from fanwen.commerce.models import Order, Plan
from fanwen.commerce.providers import registry
from fanwen.commerce.providers.base import ProviderNotConfigured
from fanwen.commerce.services import (
    CommerceError,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    payment_start,
)
from fanwen.commerce.services.errors import AlreadyOwned
from fanwen.commerce.services.orders import TOPUP_MAX_FEN, TOPUP_MIN_FEN, topup_amount_check
from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.library.models import Document
from fanwen.web.auth import uid
from fanwen.web.client_address import client_address


def _methods() -> list[tuple[str, str]]:
    return [(p.name, p.label) for p in registry.available()]


@login_required
@never_cache
def buy(request: HttpRequest) -> HttpResponse:
    """GET: what is being bought and how to pay.  POST: create the order (idempotent per form) and pay."""
    source = request.POST if request.method == "POST" else request.GET
    document = plan = None
    topup_fen = None
    try:
        if source.get("document"):
            document = _visible_document_or_404(request, int(source["document"]))
        elif source.get("plan"):
            plan = Plan.objects.filter(code=source["plan"], active=True).first()
            if plan is None:
                raise Http404("会员方案不存在")
        elif "topup" in source:
            topup_fen = yuan_to_fen(source["topup"])
            topup_amount_check(topup_fen)
        else:
            return redirect("/vip/")
    except (ValueError, BadAmount):
        messages.error(request, "金额或编号格式不对")
        return redirect("/me/wallet/")
    except CommerceError as exc:
        messages.error(request, exc.message)
        return redirect("/me/wallet/")
    if document is not None and gate.can_read_full(request.user, document):
        messages.info(request, "您已可以阅读这篇文档的全文")
        return redirect(document.get_absolute_url())
    if document is not None and document.status != Document.Status.PUBLISHED:
        messages.error(request, "这篇文档已下架，暂停销售")
        return redirect("/")
    if request.method == "POST":
        return _buy_post(request, document, plan, topup_fen)
    wallet_fen = selectors.wallet_balance_fen(user_id=uid(request))
    amount_fen = document.price_fen if document else plan.price_fen if plan else topup_fen
    return render(
        request,
        "commerce/buy.html",
        {
            "document": document, "plan": plan, "topup_fen": topup_fen,
            "topup_yuan": source.get("topup", ""),
            "next": source.get("next", ""),
            "amount_fen": amount_fen,
            "wallet_fen": wallet_fen,
            "shortfall_fen": max(100, (amount_fen or 0) - wallet_fen),
            "methods": _methods(), "form_key": uuid.uuid4().hex,
        },
    )


def _visible_document_or_404(request: HttpRequest, document_id: int) -> Document:
    """The document being bought, if this reader may see it at all; else 404."""
    document = gate.document_get_visible(document_id=document_id, user=request.user)
    if document is None:
        raise Http404("文档不存在")
    return document


def _buy_post(request: HttpRequest, document: Any, plan: Any, topup_fen: int | None) -> HttpResponse:
    method = request.POST.get("method", "")
    try:
        order = order_create(
            user=request.user,
            document_id=document.pk if document else None,
            plan_code=plan.code if plan else None,
            topup_fen=topup_fen,
            idempotency_key="form-" + request.POST.get("form_key", "")[:60] if request.POST.get("form_key") else None,
        )
        return _pay(request, order, method)
    except AlreadyOwned as exc:
        messages.info(request, exc.message)
        return redirect(document.get_absolute_url() if document else "/me/")
    except CommerceError as exc:
        messages.error(request, exc.message)
        return redirect(request.get_full_path() if request.method == "GET" else _back(document, plan, topup_fen))


def _back(document: Any, plan: Any, topup_fen: int | None) -> str:
    if document:
        return f"/buy/?document={document.pk}"
    if plan:
        return f"/buy/?plan={plan.code}"
    return "/me/wallet/"


def _pay(request: HttpRequest, order: Order, method: str) -> HttpResponse:
    back = request.POST.get("next", "")
    if back.startswith("/buy/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        request.session[f"next:{order.number}"] = back  # a top-up made from a checkout returns there
    if order.status == Order.Status.PAID:
        return redirect(f"/orders/{order.number}/")
    if method == "wallet":
        order_pay_with_wallet(order_id=order.pk, user=request.user)
        messages.success(request, f"支付成功（余额支付 ¥{order.amount_yuan}）")
        return redirect(_after_paid_url(order, request))
    channel = "wap" if method in ("alipay", "sandbox") and _is_phone(request) else ""
    if method == "wechatpay":
        channel = "h5" if _is_phone(request) else "native"
    start = payment_start(
        order_id=order.pk, user=request.user, method=method, channel=channel,
        notify_url=request.build_absolute_uri(f"/payments/{method}/notify"),
        return_url=request.build_absolute_uri(f"/orders/{order.number}/"),
        client_ip=client_address(request),
    )
    if start.redirect_url:
        return HttpResponseRedirect(start.redirect_url)
    request.session[f"qr:{order.number}"] = start.qr_code_url
    return redirect(f"/orders/{order.number}/")


def _is_phone(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "")
    return any(word in agent for word in ("iPhone", "Android", "Mobile"))


def _after_paid_url(order: Order, request: HttpRequest | None = None) -> str:
    if request is not None and request.session.get(f"next:{order.number}"):
        return str(request.session.pop(f"next:{order.number}"))
    if order.kind == Order.Kind.DOCUMENT and order.document_id:
        return f"/d/{order.document_id}/"
    if order.kind == Order.Kind.TOPUP:
        return "/me/wallet/"
    return "/vip/"


@login_required
@never_cache
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = Order.objects.select_related("document", "plan").filter(number=number[:32]).first()
    if order is None or (order.user_id != request.user.pk and not request.user.is_staff):
        raise Http404("订单不存在")
    qr_url = request.session.get(f"qr:{order.number}")
    qr_svg = _qr_svg(qr_url) if qr_url and order.status == Order.Status.PENDING else ""
    return render(request, "commerce/order.html", {
        "order": order, "qr_svg": qr_svg, "after_url": _after_paid_url(order),
        "attempts": selectors.order_payment_attempts(order_id=order.pk),
    })


def _qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
@never_cache
def orders_mine(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.filter(user_id=uid(request)).select_related("document", "plan").prefetch_related("refunds")[:100]
    return render(request, "commerce/orders.html", {"orders": orders})


@login_required
@never_cache
def wallet(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "commerce/wallet.html",
        {
            "wallet_fen": selectors.wallet_balance_fen(user_id=uid(request)),
            "history": selectors.wallet_history(user_id=uid(request)),
            "topup_choices": ["10", "30", "50", "100"],
            "topup_min_fen": TOPUP_MIN_FEN, "topup_max_fen": TOPUP_MAX_FEN,
        },
    )


@never_cache
def vip(request: HttpRequest) -> HttpResponse:
    until = access_selectors.membership_active_until(user_id=uid(request)) if request.user.is_authenticated else None
    return render(request, "commerce/vip.html", {"plans": Plan.objects.filter(active=True), "vip_until": until})


@login_required
@never_cache
def earnings(request: HttpRequest) -> HttpResponse:
    return render(request, "commerce/earnings.html", selectors.author_earnings(user_id=uid(request)))


@login_required
@never_cache
def sandbox_checkout(request: HttpRequest, number: str) -> HttpResponse:
    """The embedded default's stand-in for a provider's cashier page."""
    order = Order.objects.filter(number=number[:32], user_id=uid(request)).first()
    if order is None:
        raise Http404("订单不存在")
    try:
        registry.get("sandbox")
    except ProviderNotConfigured as exc:
        raise Http404("沙箱支付未开启") from exc
    return render(request, "commerce/sandbox_checkout.html", {"order": order})


@login_required
@require_POST
def sandbox_pay(request: HttpRequest, number: str) -> HttpResponse:
    """The "pay" button: sign an Alipay-format notification with the sandbox key and send it
    through the same verification and fulfilment as a real one."""
    order = Order.objects.filter(number=number[:32], user_id=uid(request)).first()
    if order is None:
        raise Http404("订单不存在")
    try:
        body, headers = registry.sandbox_sign_notification(
            out_trade_no=order.number, amount_fen=order.amount_fen, subject=order.subject
        )
    except ProviderNotConfigured as exc:
        raise Http404("沙箱支付未开启") from exc
    reply = notification_handle(provider_name="sandbox", body=body, headers=headers)
    if reply.status == 200 and reply.body == b"success":
        order.refresh_from_db()
        if order.status == Order.Status.PAID:
            messages.success(request, f"支付成功 · {order.subject}")
            return redirect(_after_paid_url(order, request))
    messages.error(request, "支付未完成，请重试")
    return redirect(f"/orders/{order.number}/")
