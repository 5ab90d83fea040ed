"""Earnings states.  A sale puts the author's share in ``author:<id>:pending``; after the holding
period (``FANWEN_PAYOUT_HOLD_DAYS``, default 7) one ``earnings.release`` transaction moves it to
``author:<id>``, the money the author may withdraw.

* Each sale is released at most once: ``UNIQUE(order) WHERE kind = 'earnings.release'`` on the
  ledger (constraint ``one_release_per_order``), and the release runs under the order's row lock,
  the same lock a refund takes first — so a release and a refund of one sale never interleave.
* A sale whose refund has begun is never released: the refund already took the share back.
* A refund takes the share from where it is: pending before the release, available after it.
  Available may go negative (a refund after the holding period that the balance cannot cover);
  later releases add to it, so the debt is settled from future earnings.
* Sales posted before earnings states existed credited ``author:<id>`` directly: they count as
  released (available), and their refunds come out of available too.  No ledger row is rewritten.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fanwen.commerce.models import Account, LedgerEntry, LedgerTransaction, Order, Refund
from fanwen.commerce.services import ledger
from fanwen.commerce.services.errors import Busy
from fanwen.commerce.services.locking import atomic_write, lock_order

log = logging.getLogger("fanwen.commerce")

RELEASE = "earnings.release"


def hold_days() -> int:
    return max(int(settings.FANWEN_PAYOUT_HOLD_DAYS), 0)


def _pending_share(order: Order) -> LedgerEntry | None:
    """The sale's credit to a pending account (None for a sale posted before earnings states)."""
    return (
        LedgerEntry.objects.filter(
            transaction__order=order, transaction__kind="order.paid", account__kind=Account.Kind.PENDING, amount_fen__gt=0
        )
        .select_related("account", "transaction")
        .order_by("transaction_id", "id")
        .first()
    )


def earnings_released(order: Order) -> bool:
    return LedgerTransaction.objects.filter(order=order, kind=RELEASE).exists()


def share_account_now(account: Account, *, released: bool) -> Account:
    """Where a sale's credit to ``account`` sits now: a released pending share is in available."""
    if account.kind == Account.Kind.PENDING and released:
        assert account.user_id is not None
        return ledger.author_account(account.user_id)
    return account


def earnings_release_locked(order: Order, *, now: datetime | None = None) -> bool:
    """Release one sale's share if its holding period is over.  Call inside a transaction with
    ``order`` locked.  True if released now."""
    if order.status != Order.Status.PAID or earnings_released(order):
        return False
    if Refund.objects.filter(order=order, kind=Refund.Kind.SALE).exists():
        return False  # the refund took the share back out of pending
    entry = _pending_share(order)
    if entry is None or entry.transaction.created_at > (now or timezone.now()) - timedelta(days=hold_days()):
        return False
    assert entry.account.user_id is not None
    available = ledger.author_account(entry.account.user_id)
    try:
        with transaction.atomic():
            ledger.ledger_post(
                kind=RELEASE, order=order, memo=order.number,
                movements=[(entry.account, -entry.amount_fen), (available, entry.amount_fen)],
            )
    except IntegrityError:  # released by someone else meanwhile (the constraint)
        return False
    return True


@atomic_write
def earnings_release_order(*, order_id: int, now: datetime | None = None) -> bool:
    return earnings_release_locked(lock_order(order_id), now=now)


def earnings_due_orders(*, now: datetime | None = None, author_id: int | None = None) -> list[int]:
    """Sales whose holding period is over and whose share is still pending."""
    cutoff = (now or timezone.now()) - timedelta(days=hold_days())
    released = LedgerTransaction.objects.filter(order_id=OuterRef("transaction__order_id"), kind=RELEASE)
    refunded = Refund.objects.filter(order_id=OuterRef("transaction__order_id"), kind=Refund.Kind.SALE)
    due = LedgerEntry.objects.filter(
        account__kind=Account.Kind.PENDING, amount_fen__gt=0,
        transaction__kind="order.paid", transaction__created_at__lte=cutoff,
    )
    if author_id is not None:
        due = due.filter(account__user_id=author_id)
    due = due.exclude(Exists(released)).exclude(Exists(refunded))
    ids = due.order_by("transaction_id").values_list("transaction__order_id", flat=True)[:5000]
    return list(dict.fromkeys(i for i in ids if i is not None))


def earnings_release_due(*, now: datetime | None = None, author_id: int | None = None) -> int:
    """Release every matured share (the worker, every minute; ``fanwen payouts release``).
    Idempotent: running it twice, or in two processes at once, releases each sale once."""
    released = 0
    for order_id in earnings_due_orders(now=now, author_id=author_id):
        try:
            released += earnings_release_order(order_id=order_id, now=now)
        except Busy:
            log.info("release of order %s postponed: busy", order_id)
    return released
