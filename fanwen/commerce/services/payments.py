"""Paying orders: from the wallet at once, or through a provider and its notification."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.commerce.models import Order, Payment, ProviderNotification
from fanwen.commerce.providers import registry
from fanwen.commerce.providers.base import (
    HttpReply,
    NotificationRejected,
    PaymentProviderError,
    PaymentStart,
    ProviderNotConfigured,
    ProviderRefused,
    VerifiedNotification,
)
from fanwen.commerce.services import ledger
from fanwen.commerce.services.attempts import (
    already_owns,
    attempt_begin,
    attempt_close,
    attempt_not_paid,
    attempt_sent,
    payment_settle,
)
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.errors import (
    AlreadyOwned,
    AlreadyPaid,
    Busy,
    CommerceError,
    InsufficientBalance,
    NotFound,
    NotPayable,
    PaymentUnavailable,
)
from fanwen.commerce.services.fulfilment import order_fulfil, sale_movements
from fanwen.commerce.services.locking import (
    atomic_write,
    busy_as_domain_error,
    busy_safe,
    lock_accounts,
    lock_buyer,
    lock_order,
    lock_order_by_number,
)

log = logging.getLogger("fanwen.commerce")

PROVIDER_METHODS = ("alipay", "wechatpay", "sandbox")


def _check_payable(order: Order, user: Any) -> None:
    if order.user_id != user.pk:
        raise NotFound("订单不存在")
    if order.status == Order.Status.PAID:
        raise AlreadyPaid("订单已支付")
    if not order.is_payable:
        raise NotPayable("订单已过期或已取消，请重新下单")


@atomic_write
def order_pay_with_wallet(*, order_id: int, user: Any) -> Order:
    """Lock order, then wallet; re-check; charge once.  Never overdraws (checked under the
    lock, and the database refuses a negative wallet anyway)."""
    order = lock_order(order_id)
    _check_payable(order, user)
    if order.kind == Order.Kind.TOPUP:
        raise CommerceError("充值订单不能用余额支付")
    lock_buyer(order.user_id)
    if order.kind == Order.Kind.DOCUMENT and already_owns(order):
        raise AlreadyOwned("您已拥有这篇文档，无需重复购买")
    # Every account the sale moves money between, locked together in ascending id: taking the
    # wallet first and the author and revenue accounts later would deadlock against a refund.
    locked = lock_accounts([a.pk for a, _ in sale_movements(order, ledger.wallet_account(user.pk))])
    account = locked[ledger.wallet_account(user.pk).pk]
    if account.balance_fen < order.amount_fen:
        raise InsufficientBalance(f"余额不足：需要 ¥{order.amount_yuan}，当前余额 ¥{account.balance_fen / 100:.2f}")
    payment = Payment.objects.create(
        order=order, method=Payment.Method.WALLET, amount_fen=order.amount_fen,
        status=Payment.Status.CONFIRMED, confirmed_at=timezone.now(),
    )
    order_fulfil(order=order, payment=payment, source=account)
    return order


def payment_start(
    *, order_id: int, user: Any, method: str, channel: str, notify_url: str, return_url: str, client_ip: str | None
) -> PaymentStart:
    """Where to send the buyer for a provider payment.  The order is paid only by a verified notification."""
    if method not in PROVIDER_METHODS:
        raise CommerceError("不支持的支付方式")
    try:
        provider = registry.get(method)
    except ProviderNotConfigured as exc:
        raise CommerceError("该支付方式未开通") from exc
    with busy_as_domain_error(), transaction.atomic():
        order = lock_order(order_id)
        _check_payable(order, user)
        attempt = attempt_begin(order=order, method=method)
    try:
        start = provider.start_payment(
            out_trade_no=order.number,
            amount_fen=order.amount_fen,
            subject=order.subject,
            notify_url=notify_url,
            return_url=return_url,
            channel=channel or provider.channels[0],
            client_ip=client_ip,
            expires_at=order.expires_at,
        )
    except PaymentProviderError as exc:
        log.warning("payment start failed for %s via %s: %s", order.number, method, exc.detail or exc)
        _attempt_start_failed(order.pk, attempt.pk, exc.user_message, definite=isinstance(exc, ProviderRefused))
        raise PaymentUnavailable(exc.user_message) from exc
    except ValueError as exc:
        _attempt_start_failed(order.pk, attempt.pk, "该支付方式不支持这笔订单", definite=True)
        raise CommerceError("该支付方式不支持这笔订单") from exc
    attempt_sent(payment_id=attempt.pk)
    return start


@busy_safe
def _attempt_start_failed(order_id: int, payment_id: int, reason: str, *, definite: bool) -> None:
    """The provider refused to start (or we refused to ask): the attempt failed.  An unreachable
    provider may still have opened the trade: the attempt stays open for reconciliation.  A
    refusal keeps the attempt marked for one query too: the buyer may have paid this same trade
    before (WeChat's ORDERPAID) with the notification lost; reconciliation then settles it."""
    if not definite:
        Payment.objects.filter(pk=payment_id).update(last_error=reason[:200])
        return
    with transaction.atomic():
        order = lock_order(order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        attempt_close(order=order, payment=payment, status=Payment.Status.FAILED, reason=reason)


class NotificationMismatch(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def notification_handle(*, provider_name: str, body: bytes, headers: Mapping[str, str]) -> HttpReply:
    """Verify, then apply once.  Forged or mismatched notifications change nothing, are logged
    and audited, and are never answered as a success.  Duplicates are answered as a success."""
    try:
        provider = registry.get(provider_name)
    except ProviderNotConfigured:
        return HttpReply(404, "text/plain; charset=utf-8", b"unknown provider")
    try:
        note = provider.verify_notification(body=body, headers=headers)
    except NotificationRejected as exc:
        _reject(provider_name, f"rejected: {exc.reason}")
        return provider.notification_failure_response("verification failed")
    try:
        with busy_as_domain_error(), transaction.atomic():
            outcome = _apply(provider_name, note)
    except NotificationMismatch as exc:
        _reject(provider_name, f"mismatch: {exc.reason}", out_trade_no=note.out_trade_no)
        return provider.notification_failure_response(exc.reason)
    except Busy:
        return provider.notification_failure_response("busy")
    log.info("notification %s %s for %s: %s", provider_name, note.event_id, note.out_trade_no, outcome)
    return provider.notification_success_response()


def _reject(provider_name: str, reason: str, **data: Any) -> None:
    log.warning("payment notification from %s refused: %s", provider_name, reason)
    with transaction.atomic():
        audit("commerce.notification.rejected", provider=provider_name, reason=reason[:200], **data)


def _apply(provider_name: str, note: VerifiedNotification) -> str:
    if note.kind != "payment":
        from fanwen.commerce.services.refunds import refund_notification_apply

        return refund_notification_apply(provider_name, note)
    try:
        with transaction.atomic():
            ProviderNotification.objects.create(
                provider=provider_name, event_id=note.event_id, out_trade_no=note.out_trade_no,
                provider_ref=note.provider_trade_no, amount_fen=note.amount_fen, outcome="received", data=note.raw,
            )
    except IntegrityError:
        return "duplicate"
    order = lock_order_by_number(note.out_trade_no)
    if order is None:
        raise NotificationMismatch(f"unknown order {note.out_trade_no}")
    if note.amount_fen != order.amount_fen:
        raise NotificationMismatch(f"amount {note.amount_fen} != order amount {order.amount_fen}")
    if not note.paid:
        ProviderNotification.objects.filter(provider=provider_name, event_id=note.event_id).update(outcome="not-paid")
        return attempt_not_paid(order=order, method=provider_name, note=note)
    outcome = payment_settle(order=order, provider_name=provider_name, note=note)
    ProviderNotification.objects.filter(provider=provider_name, event_id=note.event_id).update(outcome=outcome[:40])
    return outcome
