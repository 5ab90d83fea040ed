"""Refunds by staff.  Money goes back the way it came:

* wallet payments return to the wallet at once, in the same transaction;
* provider payments are refunded through the provider's refund API.  Until the provider
  confirms, the refund stays ``pending`` (visible as 退款中) and is retried with backoff; it is
  never marked done on faith.  After ``FANWEN_REFUND_MAX_ATTEMPTS`` failed attempts it is
  ``failed`` (需人工处理): staff retry it or record an offline refund (services.refund_staff).
  Every attempt is audited (``commerce.refund.attempt``).

The reader loses access as soon as staff ask for the refund.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fanwen.access import services as access_services
from fanwen.commerce.models import Account, LedgerEntry, Order, Payment, Refund
from fanwen.commerce.providers import registry
from fanwen.commerce.providers.base import ProviderRefused, VerifiedNotification
from fanwen.commerce.services import earnings, ledger
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import InsufficientBalance, NotRefundable
from fanwen.commerce.services.locking import atomic_write, lock_buyer, lock_order, lock_payment, lock_refund
from fanwen.commerce.services.notices import tell_refund

log = logging.getLogger("fanwen.commerce")


def order_refund(*, order_id: int, actor: Any) -> Refund:
    refund = _refund_request(order_id=order_id, actor=actor)
    if refund.status == Refund.Status.PENDING:
        refund_attempt(refund_id=refund.pk)
        refund.refresh_from_db()
    return refund


@atomic_write
def _refund_request(*, order_id: int, actor: Any) -> Refund:
    order = lock_order(order_id)
    # Only a refund of the sale answers "refund this order": returning a payment held in
    # suspense (payment_refund_unmatched) leaves the sale standing.
    existing = Refund.objects.filter(order=order, kind=Refund.Kind.SALE).first()
    if existing is not None:
        return existing  # asking twice refunds once
    if order.status != Order.Status.PAID:
        raise NotRefundable("只有已支付的订单可以退款")
    lock_buyer(order.user_id)  # access and membership periods change with the sale
    payment = order.payments.filter(status=Payment.Status.CONFIRMED, held_in_suspense=False).order_by("id").first()
    if payment is None:
        raise NotRefundable("订单没有已确认的支付")
    payment = lock_payment(payment.pk)
    refund = Refund.objects.create(
        order=order, payment=payment, amount_fen=payment.amount_fen,
        out_request_no=f"RF{order.number}", requested_by=actor if getattr(actor, "pk", None) else None,
    )
    _revoke_access(order)
    audit("commerce.refund.requested", actor_id=getattr(actor, "pk", None), order=order, method=payment.method,
          amount_fen=payment.amount_fen)
    # Take the money back from where the sale put it, now: into the payer's wallet for
    # wallet payments (done), or into the refunding account until the provider confirms.
    # A top-up already spent cannot be taken back: refused before any provider is asked.
    wallet = payment.method == Payment.Method.WALLET
    destination = _sale_source(order) if wallet else ledger.platform_account(ledger.REFUNDING)
    _reverse_sale(order, destination=destination, kind="refund.done" if wallet else "refund.reserved", memo=refund.out_request_no)
    if wallet:
        _refund_finish(refund=refund, order=order, payment=payment, provider_ref="wallet")
    return refund


def payment_refund_unmatched(*, payment_id: int, actor: Any) -> Refund:
    """Return a payment held in suspense (a second payment for a settled order) to the payer
    through its provider.  The order and the reader's access are untouched."""
    refund = _unmatched_refund_request(payment_id=payment_id, actor=actor)
    if refund.status == Refund.Status.PENDING:
        refund_attempt(refund_id=refund.pk)
        refund.refresh_from_db()
    return refund


@atomic_write
def _unmatched_refund_request(*, payment_id: int, actor: Any) -> Refund:
    found = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
    if found is None:
        raise NotRefundable("支付记录不存在")
    order = lock_order(found)
    payment = lock_payment(payment_id)
    existing = Refund.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    if not payment.held_in_suspense or payment.status != Payment.Status.CONFIRMED:
        raise NotRefundable("这笔支付不是待处理的重复支付")
    refund = Refund.objects.create(
        order=order, payment=payment, amount_fen=payment.amount_fen, kind=Refund.Kind.SUSPENSE,
        out_request_no=f"RU{payment.pk}X{order.number}"[:40],
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    ledger.ledger_post(
        kind="refund.reserved", order=order, memo=refund.out_request_no,
        movements=[(ledger.platform_account(ledger.SUSPENSE), -payment.amount_fen),
                   (ledger.platform_account(ledger.REFUNDING), payment.amount_fen)],
    )
    audit("commerce.refund.requested", actor_id=getattr(actor, "pk", None), order=order, method=payment.method,
          amount_fen=payment.amount_fen, unmatched=True)
    return refund


def _revoke_access(order: Order) -> None:
    access_services.access_revoke_for_order(order_id=order.pk)


def _paid_entries(order: Order) -> list[LedgerEntry]:
    paid_tx = order.ledger.filter(kind="order.paid").order_by("id").first()
    if paid_tx is None:
        raise NotRefundable("找不到这笔订单的记账凭证")
    return list(LedgerEntry.objects.filter(transaction=paid_tx).select_related("account").order_by("id"))


def _sale_source(order: Order) -> Account:
    """The account the sale's money came from (the negative entry)."""
    return next(e.account for e in _paid_entries(order) if e.amount_fen < 0)


def _reverse_sale(order: Order, *, destination: Account, kind: str, memo: str) -> None:
    """Take the sale back from where its money is now: the author's share from pending inside the
    holding period, from available after it (which may go negative: settled from later earnings)."""
    entries = _paid_entries(order)
    released = earnings.earnings_released(order)
    movements: list[tuple[Account, int]] = [
        (earnings.share_account_now(e.account, released=released), -e.amount_fen) for e in entries if e.amount_fen > 0
    ]
    movements.append((destination, sum(e.amount_fen for e in entries if e.amount_fen > 0)))
    try:
        ledger.ledger_post(kind=kind, movements=movements, order=order, memo=memo)
    except InsufficientBalance as exc:
        raise NotRefundable("充值金额已被使用，余额不足以退回") from exc


def _refund_finish(*, refund: Refund, order: Order, payment: Payment, provider_ref: str) -> None:
    now = timezone.now()
    refund.status = Refund.Status.DONE
    refund.provider_ref = provider_ref[:64]
    refund.done_at = now
    refund.save(update_fields=["status", "provider_ref", "done_at"])
    payment.status = Payment.Status.REFUNDED
    payment.save(update_fields=["status"])
    if refund.reverses_sale:
        order.status = Order.Status.REFUNDED
        order.refunded_at = now
        order.save(update_fields=["status", "refunded_at"])
    audit("commerce.refund.done", order=order, amount_fen=refund.amount_fen, method=payment.method)
    tell_refund(refund, order)


def refund_attempt(*, refund_id: int, manual: bool = False) -> str:
    """Ask the provider (outside any transaction), then record the attempt and only a verified
    outcome.  After ``FANWEN_REFUND_MAX_ATTEMPTS`` failures the refund is ``failed`` (需人工处理)
    and only staff try again (``manual``: services.refund_staff)."""
    refund = Refund.objects.select_related("order", "payment").get(pk=refund_id)
    if refund.status == Refund.Status.DONE or refund.payment.method == Payment.Method.WALLET:
        return refund.status
    if refund.status == Refund.Status.FAILED and not manual:
        return refund.status
    try:
        provider = registry.get(refund.payment.method)
        result = provider.refund(
            out_trade_no=refund.order.number, out_request_no=refund.out_request_no,
            refund_fen=refund.amount_fen, total_fen=refund.payment.amount_fen, reason="范文库退款",
        )
    except Exception as exc:  # an unreachable, refusing or misconfigured provider: stays pending, visibly
        detail = getattr(exc, "detail", "") or str(exc)
        refused = isinstance(exc, ProviderRefused)
        log.warning("refund %s %s: %s", refund.out_request_no, "refused" if refused else "unavailable", detail)
        return _record_attempt(refund_id=refund.pk, error=("渠道拒绝：" if refused else "渠道暂不可用：") + str(exc),
                               manual=manual)
    _record_attempt(refund_id=refund.pk, error="", manual=manual)
    if result.status == "done":
        _refund_mark_done(refund_id=refund.pk, provider_ref=result.provider_ref)
        return Refund.Status.DONE
    return Refund.Status.PENDING


#: a retry is due half a tick early, so the minute tick that should take it always finds it due,
#: whatever second inside the minute that tick's run starts
RETRY_SLACK = timedelta(seconds=30)


def refund_retry_delay(attempts: int) -> timedelta:
    """Backoff after failed attempt number ``attempts``: 1, 2, 4, … minute ticks, at most FANWEN_REFUND_RETRY_MAX_WAIT_TICKS
    (due ``RETRY_SLACK`` before, so it is the 1st, 2nd, 4th … tick after this one that retries)."""
    return timedelta(minutes=min(2 ** (attempts - 1), settings.FANWEN_REFUND_RETRY_MAX_WAIT_TICKS)) - RETRY_SLACK


@atomic_write
def _record_attempt(*, refund_id: int, error: str, manual: bool) -> str:
    """Count the attempt under the refund's lock (order → refund) and audit it."""
    refund = Refund.objects.get(pk=refund_id)
    order = lock_order(refund.order_id)
    refund = lock_refund(refund_id)
    if refund.status == Refund.Status.DONE:
        return refund.status
    refund.attempts += 1
    refund.last_error = error[:300]
    if not error:
        refund.status, refund.next_attempt_at = Refund.Status.PENDING, None
    elif manual or refund.attempts >= settings.FANWEN_REFUND_MAX_ATTEMPTS:
        refund.status, refund.next_attempt_at = Refund.Status.FAILED, None
    else:
        refund.next_attempt_at = timezone.now() + refund_retry_delay(refund.attempts)
    refund.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    audit("commerce.refund.attempt", order=order, refund_id=refund.pk, attempt=refund.attempts,
          ok=not error, error=error[:200], manual=manual)
    if refund.status == Refund.Status.FAILED:
        audit("commerce.refund.failed", order=order, refund_id=refund.pk, attempts=refund.attempts)
    return refund.status


@atomic_write
def _refund_mark_done(*, refund_id: int, provider_ref: str) -> None:
    refund = Refund.objects.get(pk=refund_id)
    order = lock_order(refund.order_id)
    payment = lock_payment(refund.payment_id)
    refund = lock_refund(refund_id)
    if refund.status == Refund.Status.DONE:
        return
    # The provider has paid the buyer back: the money leaves the refunding account for good.
    ledger.ledger_post(
        kind="refund.done", order=order, memo=refund.out_request_no,
        movements=[(ledger.platform_account(ledger.REFUNDING), -refund.amount_fen),
                   (_payment_source(order, payment), refund.amount_fen)],
    )
    _refund_finish(refund=refund, order=order, payment=payment, provider_ref=provider_ref)


def _payment_source(order: Order, payment: Payment) -> Account:
    """The clearing account this payment's money came in from (the negative entry of its sale, or
    of its move to suspense): the refund goes back out of the same shard, whatever the shard
    count is now or was when it was paid."""
    if payment.held_in_suspense:
        tx = order.ledger.filter(kind="payment.unmatched", memo=f"{order.number} {payment.pk}").first()
        entries = [] if tx is None else LedgerEntry.objects.filter(transaction=tx).select_related("account")
        found = next((e.account for e in entries if e.amount_fen < 0), None)
    else:
        found = _sale_source(order)
    return found if found is not None else ledger.clearing_account(payment.method, order.pk)


def refunds_retry_pending(limit: int = 200) -> dict[str, int]:
    """One tick: pending refunds whose backoff has passed, oldest first, at most ``limit``."""
    counts = {"done": 0, "pending": 0, "failed": 0}
    due = (
        Refund.objects.filter(status=Refund.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
    for refund_id in list(due):
        try:
            counts[refund_attempt(refund_id=refund_id)] += 1
        except Exception:  # one broken refund must not stop the others
            log.exception("refund %s could not be completed", refund_id)
            counts["pending"] += 1
    return counts


def refund_notification_apply(provider_name: str, note: VerifiedNotification) -> str:
    """A provider's verified word that a refund we asked for went through."""
    refund = Refund.objects.select_related("payment", "order").filter(out_request_no=note.refund_request_no or "").first()
    if refund is None or refund.payment.method != provider_name or refund.order.number != note.out_trade_no:
        return "refund notice for an unknown refund: ignored"
    if note.trade_status.upper() in ("SUCCESS", "REFUND_SUCCESS"):
        transaction.on_commit(lambda: _refund_mark_done(refund_id=refund.pk, provider_ref=note.provider_trade_no))
        return "refund confirmed"
    return f"refund status {note.trade_status}"
