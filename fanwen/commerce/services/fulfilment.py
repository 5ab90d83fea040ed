"""Marking an order paid: ledger, entitlement or membership, audit — in the caller's locked transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from fanwen.commerce.models import Account, Entitlement, MembershipPeriod, Order, Payment
from fanwen.commerce.services import ledger
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.entitlements import entitlement_grant


def author_share_fen(amount_fen: int) -> int:
    """The author's share, rounded down to the fen; the platform keeps the remainder."""
    return amount_fen * settings.FANWEN_AUTHOR_SHARE_PERCENT // 100


def sale_movements(order: Order, source: Account) -> list[tuple[Account, int]]:
    """Where the money of a paid order goes."""
    amount = order.amount_fen
    if order.kind == Order.Kind.TOPUP:
        return [(source, -amount), (ledger.wallet_account(order.user_id), amount)]
    revenue = ledger.platform_account(ledger.REVENUE)
    author_id = order.document.author_id if order.kind == Order.Kind.DOCUMENT and order.document else None
    if author_id:
        share = author_share_fen(amount)
        return [(source, -amount), (ledger.author_account(author_id), share), (revenue, amount - share)]
    return [(source, -amount), (revenue, amount)]


def order_fulfil(*, order: Order, payment: Payment, source: Account) -> None:
    """Call with ``order`` locked and ``payment`` confirmed, inside the transaction."""
    now = timezone.now()
    ledger.ledger_post(kind="order.paid", movements=sale_movements(order, source), order=order, memo=order.number)
    order.status = Order.Status.PAID
    order.paid_at = now
    order.save(update_fields=["status", "paid_at"])
    if order.kind == Order.Kind.DOCUMENT:
        assert order.document_id is not None
        entitlement_grant(
            user_id=order.user_id, document_id=order.document_id, source=Entitlement.Source.PURCHASE, order=order
        )
    elif order.kind == Order.Kind.PLAN:
        membership_extend(order=order)
    audit(
        "commerce.order.paid",
        actor_id=order.user_id,
        order=order,
        method=payment.method,
        amount_fen=order.amount_fen,
        provider_ref=payment.provider_ref or "",
    )


def membership_extend(*, order: Order) -> MembershipPeriod:
    """A renewal starts where the user's latest active period ends."""
    now = timezone.now()
    last_end = (
        MembershipPeriod.objects.filter(user_id=order.user_id, revoked_at__isnull=True, ends_at__gt=now)
        .aggregate(end=Max("ends_at"))["end"]
    )
    starts = max(now, last_end) if last_end else now
    assert order.plan is not None
    return MembershipPeriod.objects.create(
        user_id=order.user_id, order=order, starts_at=starts, ends_at=starts + timedelta(days=order.plan.days)
    )
