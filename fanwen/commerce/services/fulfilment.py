"""Marking an order paid: ledger, entitlement or membership, audit — in the caller's locked transaction."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from fanwen.access import services as access_services
from fanwen.access.models import Entitlement, MembershipPeriod
from fanwen.commerce.models import Account, Order, Payment
from fanwen.commerce.services import earnings, ledger
from fanwen.commerce.services.audit import audit
from fanwen.commerce.services.entitlements import entitlement_grant
from fanwen.commerce.services.notices import tell_first_sale


def author_share_fen(amount_fen: int) -> int:
    """The author's share, rounded down to the fen; the platform keeps the remainder."""
    return amount_fen * settings.FANWEN_AUTHOR_SHARE_PERCENT // 100


def sale_movements(order: Order, source: Account) -> list[tuple[Account, int]]:
    """Where the money of a paid order goes."""
    amount = order.amount_fen
    if order.kind == Order.Kind.TOPUP:
        return [(source, -amount), (ledger.wallet_account(order.user_id), amount)]
    # One revenue shard per order (order id mod FANWEN_LEDGER_SHARDS): concurrent sales lock
    # different rows instead of queueing on one platform account.
    revenue = ledger.revenue_account(order.pk)
    author_id = order.document.author_id if order.kind == Order.Kind.DOCUMENT and order.document else None
    if author_id:
        share = author_share_fen(amount)
        # The share is pending for the holding period; services.earnings releases it to author:<id>.
        return [(source, -amount), (ledger.author_pending_account(author_id), share), (revenue, amount - share)]
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
    if settings.FANWEN_PAYOUT_HOLD_DAYS <= 0:
        earnings.earnings_release_locked(order)  # no holding period: available at once
    tell_first_sale(order)
    audit(
        "commerce.order.paid",
        actor_id=order.user_id,
        order=order,
        method=payment.method,
        amount_fen=order.amount_fen,
        provider_ref=payment.provider_ref or "",
    )



def membership_extend(*, order: Order) -> MembershipPeriod:
    """A renewal starts where the user's latest active period ends (``access.services``)."""
    assert order.plan is not None
    return access_services.membership_extend(user_id=order.user_id, order_id=order.pk, days=order.plan.days)
