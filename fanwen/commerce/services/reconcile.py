"""Reconciliation: ask the provider about attempts whose outcome we may not know.

A notification can be lost (our server was down, the provider gave up, a proxy dropped it).
Every minute the worker runs ``payments_reconcile``: each provider attempt still marked
``check_provider`` and older than ``FANWEN_PAYMENT_RECONCILE_AFTER_SECONDS`` is queried with
``provider.query`` (outside any transaction), and the answer is applied exactly like a
notification — the same ``payment_settle`` — under the order lock:

* paid            → the attempt is confirmed and the order fulfilled (or the money held in suspense);
* closed          → the attempt failed;
* not paid / none → still open while the order can be paid; cancelled (and no longer asked
                    about) once it cannot: the provider was given the order's expiry, so after
                    it "not paid" is final.  Order expiry cancels attempts but leaves them
                    marked, so a payment made just before expiry whose notification was lost
                    is still found by this one last query.

Bounded per tick (``FANWEN_PAYMENT_RECONCILE_BATCH``), least recently checked first.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fanwen.commerce.models import Payment
from fanwen.commerce.providers import registry
from fanwen.commerce.providers.base import VerifiedNotification
from fanwen.commerce.services.attempts import CLOSED_STATUSES, attempt_close, payment_settle
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import Busy
from fanwen.commerce.services.locking import busy_as_domain_error, lock_buyer, lock_order

log = logging.getLogger("fanwen.commerce")
#: after an order expires, the provider's "not paid" is final only once this has passed too
EXPIRY_GRACE = timedelta(minutes=10)

def payments_reconcile() -> dict[str, int]:
    """One tick.  Returns how many attempts ended up in each outcome."""
    now = timezone.now()
    after = timedelta(seconds=settings.FANWEN_PAYMENT_RECONCILE_AFTER_SECONDS)
    due = (
        Payment.objects.filter(check_provider=True, created_at__lte=now - after)
        .exclude(checked_at__gt=now - after)
        .order_by(F("checked_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[: settings.FANWEN_PAYMENT_RECONCILE_BATCH]
    )
    counts: dict[str, int] = {}
    for payment_id in list(due):
        try:
            outcome = payment_reconcile_one(payment_id=payment_id)
        except Exception:  # one bad attempt must not stop the others
            log.exception("reconciling payment %s failed", payment_id)
            outcome = "error"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def payment_reconcile_one(*, payment_id: int) -> str:
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    order = payment.order
    Payment.objects.filter(pk=payment_id).update(checked_at=timezone.now(), checks=F("checks") + 1)
    try:
        note = registry.get(payment.method).query(order.number)
    except Exception as exc:  # unreachable, unverifiable or not configured: ask again next time
        detail = getattr(exc, "detail", "") or str(exc)
        log.warning("payment query %s via %s failed: %s", order.number, payment.method, detail)
        Payment.objects.filter(pk=payment_id).update(last_error=f"核对失败：{exc}"[:200])
        return "unavailable"
    try:
        with busy_as_domain_error(), transaction.atomic():
            return _apply_answer(payment_id, note)
    except Busy:
        return "busy"


def _apply_answer(payment_id: int, note: VerifiedNotification | None) -> str:
    payment = Payment.objects.get(pk=payment_id)
    order = lock_order(payment.order_id)
    lock_buyer(order.user_id)  # the lock order: order → buyer → payment (payment_settle needs the buyer)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if not payment.check_provider:
        return "settled"  # a notification (or another tick) got there first
    if note is not None and note.paid:
        if note.amount_fen != order.amount_fen:
            audit("commerce.reconcile.mismatch", order=order, payment_id=payment.pk,
                  reason=f"amount {note.amount_fen} != {order.amount_fen}")
            # Not asked again: staff see it in the audit log (对账金额不符) and the admin.
            Payment.objects.filter(pk=payment_id).update(check_provider=False, last_error="对账金额不符，需人工核对")
            return "mismatch"
        outcome = payment_settle(order=order, provider_name=payment.method, note=note)
        Payment.objects.filter(pk=payment_id).update(check_provider=False)
        audit("commerce.reconcile.paid", order=order, payment_id=payment.pk, outcome=outcome)
        return "paid"
    status = note.trade_status.upper() if note is not None else "NOT_FOUND"
    if status in CLOSED_STATUSES:
        failed = attempt_close(order=order, payment=payment, status=Payment.Status.FAILED, reason=f"渠道：{status}")
        Payment.objects.filter(pk=payment_id).update(check_provider=False)
        return "failed" if failed else "closed"  # closed: already cancelled by expiry, now final
    if order.is_payable and payment.status in Payment.OPEN:
        return "waiting"
    if timezone.now() < order.expires_at + EXPIRY_GRACE:
        return "waiting"  # just expired: a buyer still paying (USERPAYING), or clocks apart
    # The order can no longer be paid (the provider was told its expiry when the trade opened):
    # the provider's "not paid" is final.
    attempt_close(order=order, payment=payment, status=Payment.Status.CANCELLED, reason="订单已不可支付，渠道未收款")
    Payment.objects.filter(pk=payment_id).update(check_provider=False)
    return "cancelled"
