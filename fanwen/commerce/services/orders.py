"""Creating and expiring orders."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.access import gate
from fanwen.commerce.models import Order, Plan
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import (
    AlreadyOwned,
    CommerceError,
    IdempotencyConflict,
    NotForSale,
    NotFound,
)
from fanwen.commerce.services.locking import busy_safe
from fanwen.library.models import Document

TOPUP_MIN_FEN = 100
TOPUP_MAX_FEN = 10_000_00


def order_number() -> str:
    """Unique, sortable, and acceptable to Alipay and WeChat Pay as out_trade_no (≤32, [0-9A-Za-z])."""
    return f"FW{timezone.localtime():%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}"


@busy_safe
def order_create(
    *,
    user: Any,
    document_id: int | None = None,
    plan_code: str | None = None,
    topup_fen: int | None = None,
    idempotency_key: str | None = None,
) -> Order:
    """An order for one document, one membership plan, or a wallet top-up.

    With an ``idempotency_key`` the same key from the same user returns the same order
    (UNIQUE(user, idempotency_key); a race is settled by the constraint, not a check)."""
    targets = [x is not None for x in (document_id, plan_code, topup_fen)]
    if sum(targets) != 1:
        raise CommerceError("请指定一个购买对象：document_id、plan 或充值金额")
    if idempotency_key is not None:
        idempotency_key = idempotency_key.strip()[:100] or None
    if idempotency_key:
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_request(existing, document_id, plan_code, topup_fen)

    fields = _order_fields(user=user, document_id=document_id, plan_code=plan_code, topup_fen=topup_fen)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                number=order_number(),
                user=user,
                idempotency_key=idempotency_key,
                expires_at=timezone.now() + timedelta(minutes=settings.FANWEN_ORDER_EXPIRY_MINUTES),
                **fields,
            )
            audit("commerce.order.created", actor_id=user.pk, order=order, amount_fen=order.amount_fen, kind=order.kind)
    except IntegrityError:
        if not idempotency_key:
            raise
        existing = Order.objects.get(user=user, idempotency_key=idempotency_key)
        return _same_request(existing, document_id, plan_code, topup_fen)
    return order


def _same_request(order: Order, document_id: int | None, plan_code: str | None, topup_fen: int | None) -> Order:
    same = (
        (document_id is not None and order.document_id == document_id)
        or (plan_code is not None and order.plan is not None and order.plan.code == plan_code)
        or (topup_fen is not None and order.kind == Order.Kind.TOPUP and order.amount_fen == topup_fen)
    )
    if not same:
        raise IdempotencyConflict("这个 Idempotency-Key 已用于另一笔不同的订单")
    return order


def _order_fields(*, user: Any, document_id: int | None, plan_code: str | None, topup_fen: int | None) -> dict[str, Any]:
    if document_id is not None:
        document = Document.objects.filter(pk=document_id).exclude(status=Document.Status.PENDING).first()
        if document is None:
            raise NotFound("文档不存在")
        if document.status != Document.Status.PUBLISHED:
            raise NotForSale("这篇文档已下架，暂停销售")
        if not document.has_paid:
            raise AlreadyOwned("这篇文档免费，无需购买")
        if document.price_fen <= 0:
            raise CommerceError("这篇文档暂未定价，暂时无法购买")
        if gate.can_read_full(user, document):
            raise AlreadyOwned("您已可以阅读这篇文档的全文")
        return {
            "kind": Order.Kind.DOCUMENT,
            "document": document,
            "amount_fen": document.price_fen,
            "subject": f"范文库文档：{document.title}"[:120],
        }
    if plan_code is not None:
        plan = Plan.objects.filter(code=plan_code, active=True).first()
        if plan is None:
            raise NotFound("会员方案不存在")
        return {"kind": Order.Kind.PLAN, "plan": plan, "amount_fen": plan.price_fen, "subject": f"范文库会员：{plan.name}"}
    assert topup_fen is not None
    topup_amount_check(topup_fen)
    return {"kind": Order.Kind.TOPUP, "amount_fen": topup_fen, "subject": "范文库余额充值"}


def topup_amount_check(topup_fen: int) -> None:
    """The one rule for top-up amounts: the checkout page asks it before showing anything."""
    if not TOPUP_MIN_FEN <= topup_fen <= TOPUP_MAX_FEN:
        raise CommerceError(f"充值金额须在 {TOPUP_MIN_FEN // 100} 到 {TOPUP_MAX_FEN // 100} 元之间")


def orders_expire_stale() -> int:
    """Mark pending orders past their expiry as expired.  A late genuine payment still fulfils."""
    now = timezone.now()
    with transaction.atomic():
        # Rows another transaction holds (a payment arriving, a concurrent expiry) are left for the next run.
        ids = list(Order.objects.select_for_update(skip_locked=True)
                   .filter(status=Order.Status.PENDING, expires_at__lte=now).values_list("pk", flat=True)[:1000])
        count = Order.objects.filter(pk__in=ids, status=Order.Status.PENDING).update(status=Order.Status.EXPIRED)
        for order in Order.objects.filter(pk__in=ids).order_by("pk"):  # locked: each expired just now, once
            audit("commerce.order.expired", order=order, order_id=order.pk)
    return count
