"""Payment attempts and their lifecycle (pretix ``OrderPayment``):

    created → pending → confirmed | failed | cancelled;   confirmed → refunded (services.refunds)

Every transition here runs with the order row locked first (services.locking order: order →
buyer → payment), so a notification, a reconciliation query, an expiry and a second checkout
click for one order are serialised.  Each transition only moves an attempt that is still open
(``status IN (created, pending)``), so repeating one changes nothing; UNIQUE constraints on
the Payment table (one open attempt per order and method, one row per provider trade, one sale
payment per order) make the database refuse what a race could otherwise double.

``payment_settle`` is THE way a provider's verified "paid" becomes money: the notification
handler and the reconciliation tick both call it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.access import selectors as access_selectors
from fanwen.commerce.models import Order, Payment
from fanwen.commerce.providers.base import VerifiedNotification
from fanwen.commerce.services import ledger
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.fulfilment import order_fulfil
from fanwen.commerce.services.locking import lock_buyer

# What the providers call a trade that can no longer be paid (Alipay, WeChat Pay).
CLOSED_STATUSES = frozenset({"TRADE_CLOSED", "CLOSED", "REVOKED", "PAYERROR"})


def attempt_begin(*, order: Order, method: str) -> Payment:
    """The open attempt for ``order`` and ``method``; a new one if there is none.
    Call with the order locked."""
    existing = Payment.objects.select_for_update().filter(order=order, method=method, status__in=Payment.OPEN).first()
    if existing is not None:
        return existing
    return Payment.objects.create(
        order=order, method=method, amount_fen=order.amount_fen, check_provider=method != Payment.Method.WALLET,
    )


def attempt_sent(*, payment_id: int) -> None:
    """The buyer was sent to the provider: created → pending."""
    Payment.objects.filter(pk=payment_id, status=Payment.Status.CREATED).update(status=Payment.Status.PENDING)


def attempt_close(*, order: Order, payment: Payment, status: str, reason: str) -> bool:
    """An open attempt → failed or cancelled.  Call with the order locked.  False if it was not open."""
    assert status in (Payment.Status.FAILED, Payment.Status.CANCELLED)
    changed = Payment.objects.filter(pk=payment.pk, status__in=Payment.OPEN).update(
        status=status, closed_at=timezone.now(), last_error=reason[:200],
    )
    if changed:
        audit(f"commerce.payment.{status}", order=order, payment_id=payment.pk, method=payment.method, reason=reason[:200])
    return bool(changed)


def attempts_cancel_open(*, order: Order, reason: str) -> int:
    """Cancel every open attempt of ``order`` (it expired or was cancelled).  Order locked.
    Provider attempts stay marked for one last query: a payment made just before expiry
    whose notification was lost is still found (services.reconcile)."""
    count = 0
    for payment in Payment.objects.select_for_update().filter(order=order, status__in=Payment.OPEN).order_by("pk"):
        count += attempt_close(order=order, payment=payment, status=Payment.Status.CANCELLED, reason=reason)
    return count


def attempt_not_paid(*, order: Order, method: str, note: VerifiedNotification) -> str:
    """The provider says the trade is not paid.  Closed: the open attempt has failed.  Still
    waiting: it is pending.  Order locked."""
    attempt = _matching_attempt(order, method, open_only=True)
    if attempt is None:
        return f"not paid ({note.trade_status})"
    if note.trade_status.upper() in CLOSED_STATUSES:
        attempt_close(order=order, payment=attempt, status=Payment.Status.FAILED, reason=f"渠道：{note.trade_status}")
        Payment.objects.filter(pk=attempt.pk).update(check_provider=False)
        return f"failed ({note.trade_status})"
    attempt_sent(payment_id=attempt.pk)
    return f"not paid ({note.trade_status})"


def _matching_attempt(order: Order, method: str, *, open_only: bool) -> Payment | None:
    """The checkout's attempt a provider answer is about: the open one for this method, or else
    (a payment arriving after expiry) the latest closed one that never got a provider trade."""
    qs = Payment.objects.select_for_update().filter(order=order, method=method).order_by("-pk")
    attempt = qs.filter(status__in=Payment.OPEN).first()
    if attempt is not None or open_only:
        return attempt
    return qs.filter(
        status__in=[Payment.Status.FAILED, Payment.Status.CANCELLED], provider_ref__isnull=True
    ).first()


def already_owns(order: Order) -> bool:
    """The buyer already holds this document through another order or a grant (not a membership:
    paying for a document while a member buys it for good)."""
    if order.document_id is None:
        return False
    return access_selectors.entitlement_active_exists(user_id=order.user_id, document_id=order.document_id)


def payment_settle(*, order: Order, provider_name: str, note: VerifiedNotification) -> str:
    """The provider verifiably says ``order`` was paid (amount already checked).  Order locked,
    inside the caller's transaction.  Confirms the checkout's attempt and fulfils the order — or,
    for a second, different payment of a settled order, holds the money in suspense."""
    lock_buyer(order.user_id)
    in_suspense = order.status in (Order.Status.PAID, Order.Status.REFUNDED) or (
        order.kind == Order.Kind.DOCUMENT and already_owns(order)
    )
    if Payment.objects.filter(method=provider_name, provider_ref=note.provider_trade_no).exists():
        return "already applied"  # the same trade, notified again or found by a query
    attempt = _matching_attempt(order, provider_name, open_only=False)
    now = timezone.now()
    try:
        with transaction.atomic():
            if attempt is None:
                attempt = Payment.objects.create(
                    order=order, method=provider_name, amount_fen=note.amount_fen, status=Payment.Status.CONFIRMED,
                    provider_ref=note.provider_trade_no, confirmed_at=now, held_in_suspense=in_suspense,
                )
            else:
                before = attempt.status
                attempt.status = Payment.Status.CONFIRMED
                attempt.provider_ref = note.provider_trade_no
                attempt.confirmed_at = now
                attempt.held_in_suspense = in_suspense
                attempt.amount_fen = note.amount_fen
                attempt.check_provider = False
                attempt.save(update_fields=[
                    "status", "provider_ref", "confirmed_at", "held_in_suspense", "amount_fen", "check_provider",
                ])
                if before != Payment.Status.PENDING:
                    audit("commerce.payment.revived", order=order, payment_id=attempt.pk, previous=before)
    except IntegrityError:
        return "already applied"  # a concurrent writer recorded this trade first
    source = ledger.clearing_account(provider_name, order.pk)
    if in_suspense:
        ledger.ledger_post(
            kind="payment.unmatched", order=order, memo=f"{order.number} {attempt.pk}",
            movements=[(source, -note.amount_fen), (ledger.platform_account(ledger.SUSPENSE), note.amount_fen)],
        )
        audit("commerce.payment.unmatched", order=order, provider=provider_name, provider_ref=note.provider_trade_no)
        return "overpaid: held in suspense"
    order_fulfil(order=order, payment=attempt, source=source)
    return "applied"
