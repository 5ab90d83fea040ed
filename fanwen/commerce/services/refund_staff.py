"""What staff do with a refund the provider kept refusing (status ``failed``, 需人工处理):
try the provider once more, or record that the buyer was refunded another way (offline).
The admin's actions call these."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fanwen.commerce.models import Refund
from fanwen.commerce.services import ledger
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import NotRefundable
from fanwen.commerce.services.locking import atomic_write, lock_order, lock_payment, lock_refund
from fanwen.commerce.services.refunds import _refund_finish, refund_attempt

# Money a staff member paid back outside the provider (a bank transfer, cash) leaves from here.
OFFLINE_CLEARING = "offline"
#: how long the worker leaves a refund alone while staff's own retry asks the provider
MANUAL_RETRY_HOLD = timedelta(minutes=10)


def refund_retry(*, refund_id: int, actor: Any) -> str:
    """One more attempt through the provider, now.  If it fails the refund stays 需人工处理."""
    _retry_allowed(refund_id=refund_id, actor=actor)
    return refund_attempt(refund_id=refund_id, manual=True)


@atomic_write
def _retry_allowed(*, refund_id: int, actor: Any) -> None:
    refund = Refund.objects.filter(pk=refund_id).first()
    if refund is None:
        raise NotRefundable("退款不存在")
    order = lock_order(refund.order_id)
    refund = lock_refund(refund_id)
    if refund.status != Refund.Status.FAILED:
        raise NotRefundable("只有“需人工处理”的退款可以手动重试")
    # Out of 需人工处理 BEFORE the provider is asked: while it may pay back, nobody can mark the
    # refund offline too (that would pay twice).  The tick leaves it alone meanwhile; a failed
    # attempt puts it back to 需人工处理 (refunds._record_attempt, manual).
    refund.status, refund.next_attempt_at = Refund.Status.PENDING, timezone.now() + MANUAL_RETRY_HOLD
    refund.save(update_fields=["status", "next_attempt_at"])
    audit("commerce.refund.retry", actor_id=getattr(actor, "pk", None), order=order, refund_id=refund.pk)


@atomic_write
def refund_mark_done_offline(*, refund_id: int, actor: Any, note: str = "") -> Refund:
    """Staff refunded the buyer outside the provider: the reserved money leaves the refunding
    account for the offline clearing account, and the refund is done.  Only for ``failed``
    refunds: while the provider may still pay back, doing it offline too would pay twice.  A
    refund that reached 需人工处理 through timeouts (渠道暂不可用) may still have been paid back by
    the provider: staff check the provider's console (or retry: the provider answers the same
    refund request number idempotently) before marking it offline."""
    found = Refund.objects.filter(pk=refund_id).values_list("order_id", "payment_id").first()
    if found is None:
        raise NotRefundable("退款不存在")
    order = lock_order(found[0])
    payment = lock_payment(found[1])
    refund = lock_refund(refund_id)
    if refund.status == Refund.Status.DONE:
        return refund  # marking twice records once
    if refund.status != Refund.Status.FAILED:
        raise NotRefundable("只有“需人工处理”的退款可以标记为线下已退")
    ledger.ledger_post(
        kind="refund.offline", order=order, memo=refund.out_request_no,
        movements=[(ledger.platform_account(ledger.REFUNDING), -refund.amount_fen),
                   (ledger.clearing_account(OFFLINE_CLEARING), refund.amount_fen)],
    )
    audit("commerce.refund.offline", actor_id=getattr(actor, "pk", None), order=order, refund_id=refund.pk,
          amount_fen=refund.amount_fen, note=note[:200])
    _refund_finish(refund=refund, order=order, payment=payment, provider_ref=f"offline:{getattr(actor, 'pk', '')}")
    return refund
