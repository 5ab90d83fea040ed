from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from fanwen.access import selectors as access_selectors
from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.schemas import ErrorOut
from fanwen.commerce import selectors as commerce_selectors
from fanwen.commerce.models import Order
from fanwen.commerce.services import (
    CommerceError,
    order_create,
    order_pay_with_wallet,
    order_refund,
    payment_start,
)
from fanwen.commerce.services.errors import NotFound
from fanwen.web.client_address import client_address

router = Router(tags=["orders"])


class OrderIn(Schema):
    document_id: int | None = None
    plan: str | None = None


class PayIn(Schema):
    method: str
    channel: str = ""


class OrderOut(Schema):
    id: int
    number: str
    status: str
    kind: str
    amount_fen: int
    subject: str
    document_id: int | None
    plan: str | None
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None


class PayOut(Schema):
    order: OrderOut
    redirect_url: str | None = None
    qr_code_url: str | None = None


class MeOut(Schema):
    username: str
    wallet_fen: int
    vip_until: datetime | None


class RefundOut(Schema):
    id: int
    status: str
    amount_fen: int
    out_request_no: str
    last_error: str


ERRORS = {400: ErrorOut, 401: ErrorOut, 402: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut}


def order_dict(order: Order) -> dict[str, Any]:
    status = order.status
    if status == Order.Status.PENDING and not order.is_payable:
        status = Order.Status.EXPIRED
    return {
        "id": order.pk, "number": order.number, "status": status, "kind": order.kind, "amount_fen": order.amount_fen,
        "subject": order.subject, "document_id": order.document_id, "plan": order.plan.code if order.plan else None,
        "created_at": order.created_at, "expires_at": order.expires_at, "paid_at": order.paid_at,
    }


def _raise(exc: CommerceError) -> None:
    raise HttpError(exc.status, exc.message) from exc


def _own_order(request: HttpRequest, user: Any, order_id: int) -> Order:
    order = Order.objects.select_related("plan").filter(pk=order_id).first() if 0 < order_id < 2**63 else None
    if order is None or (order.user_id != user.pk and not user.is_staff):
        raise HttpError(404, "订单不存在")
    return order


@router.post("/orders", response={200: OrderOut, **ERRORS}, summary="下单（文档或会员方案），支持 Idempotency-Key")
def orders_create(request: HttpRequest, payload: OrderIn) -> Any:
    user = require_user_for_write(request)
    try:
        order = order_create(
            user=user, document_id=payload.document_id, plan_code=payload.plan,
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except CommerceError as exc:
        _raise(exc)
    return order_dict(order)


@router.post("/orders/{int:order_id}/pay", response={200: PayOut, **ERRORS}, summary="支付订单")
def orders_pay(request: HttpRequest, order_id: int, payload: PayIn) -> Any:
    user = require_user_for_write(request)
    order = _own_order(request, user, order_id)
    try:
        if payload.method == "wallet":
            order = order_pay_with_wallet(order_id=order.pk, user=user)
            return {"order": order_dict(order)}
        start = payment_start(
            order_id=order.pk, user=user, method=payload.method, channel=payload.channel,
            notify_url=request.build_absolute_uri(f"/payments/{payload.method}/notify"),
            return_url=request.build_absolute_uri(f"/orders/{order.number}/"),
            client_ip=client_address(request),
        )
    except CommerceError as exc:
        _raise(exc)
    order.refresh_from_db()
    return {"order": order_dict(order), "redirect_url": start.redirect_url, "qr_code_url": start.qr_code_url}


@router.get("/orders/{int:order_id}", response={200: OrderOut, **ERRORS}, summary="订单详情（本人或管理员）")
def orders_detail(request: HttpRequest, order_id: int) -> Any:
    user = require_user(request)
    return order_dict(_own_order(request, user, order_id))


@router.post("/orders/{int:order_id}/refund", response={200: RefundOut, **ERRORS}, summary="退款（仅管理员）")
def orders_refund(request: HttpRequest, order_id: int) -> Any:
    user = require_user_for_write(request)
    if not user.is_staff:
        raise HttpError(403, "仅管理员可以退款")
    try:
        refund = order_refund(order_id=order_id, actor=user)
    except NotFound as exc:
        raise HttpError(404, exc.message) from exc
    except CommerceError as exc:
        _raise(exc)
    return {"id": refund.pk, "status": refund.status, "amount_fen": refund.amount_fen,
            "out_request_no": refund.out_request_no, "last_error": refund.last_error}


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="当前用户")
def me(request: HttpRequest) -> Any:
    user = require_user(request)
    return {
        "username": user.get_username(),
        "wallet_fen": commerce_selectors.wallet_balance_fen(user_id=user.pk),
        "vip_until": access_selectors.membership_active_until(user_id=user.pk),
    }
