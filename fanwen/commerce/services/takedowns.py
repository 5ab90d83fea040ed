"""Taking a document down for infringement: it goes for everyone, and every buyer is
refunded in full through the normal refund path (``refunds.order_refund``, one per order).

Idempotent: a second run refunds nothing twice (one refund per order, by constraint) but
does refund an order paid since the first run (a provider payment that arrived late)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from fanwen.commerce.models import Order, Refund
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import CommerceError
from fanwen.commerce.services.refunds import order_refund
from fanwen.library import services as library_services
from fanwen.notices.models import Notice
from fanwen.notices.services import notify


@dataclass
class TakedownResult:
    document_id: int
    newly_taken_down: bool
    refunded: list[str] = field(default_factory=list)  # order numbers, refund done
    refund_pending: list[str] = field(default_factory=list)  # waiting for the provider
    failed: dict[str, str] = field(default_factory=dict)  # order number → reason
    cancelled: int = 0  # unpaid orders that can no longer be paid


def document_takedown(*, document_id: int, reason: str, actor: Any = None) -> TakedownResult:
    try:
        changed = library_services.document_mark_taken_down(document_id=document_id, reason=reason, actor=actor)
    except library_services.DocumentChangeRefused as exc:
        raise CommerceError(exc.message) from exc
    result = TakedownResult(document_id=document_id, newly_taken_down=changed)
    with transaction.atomic():
        pending = Order.objects.filter(document_id=document_id, status=Order.Status.PENDING)
        result.cancelled = pending.update(status=Order.Status.CANCELLED)
        if result.cancelled:
            audit("commerce.order.cancelled", actor_id=getattr(actor, "pk", None), count=result.cancelled,
                  document_id=document_id, why="takedown")
    paid = Order.objects.filter(document_id=document_id, status=Order.Status.PAID).order_by("id")
    for order_id, number, buyer_id, title in paid.values_list("pk", "number", "user_id", "document__title"):
        notify(user_id=buyer_id, kind=Notice.Kind.TAKEDOWN, title=f"《{title[:60]}》因侵权下架，订单将全额退款",
               body=f"原因：{' '.join(reason.split())[:200]}。退款进度见订单 {number}。", link=f"/orders/{number}/",
               dedupe_key=f"takedown:{number}")
        try:
            refund = order_refund(order_id=order_id, actor=actor)
        except CommerceError as exc:  # one order that cannot be refunded must not stop the others
            result.failed[number] = exc.message
            continue
        (result.refunded if refund.status == Refund.Status.DONE else result.refund_pending).append(number)
    return result
