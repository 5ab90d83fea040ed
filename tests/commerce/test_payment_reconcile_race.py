"""A notification and a reconciliation tick for the same attempt at the same moment: one sale.
Real threads with their own connections (row locks on PostgreSQL, IMMEDIATE on SQLite)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fanwen.commerce.models import LedgerTransaction, Order, Payment
from fanwen.commerce.providers import registry
from fanwen.commerce.services import ledger_check, notification_handle, order_create, payment_start
from fanwen.commerce.services.reconcile import payment_reconcile_one
from tests.commerce.factories import make_document, make_user
from tests.commerce.racing import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]
PAIRS = 6


def test_notification_and_reconciliation_racing_make_one_sale():
    orders = []
    for _ in range(PAIRS):
        reader = make_user()
        order = order_create(user=reader, document_id=make_document(price_fen=500, author=make_user()).pk)
        payment_start(order_id=order.pk, user=reader, method="sandbox", channel="", notify_url="https://x/n",
                      return_url="https://x/r", client_ip=None)
        orders.append(order)
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    signed = [registry.sandbox_sign_notification(out_trade_no=o.number, amount_fen=o.amount_fen) for o in orders]
    attempts = [Payment.objects.get(order=o).pk for o in orders]

    def work(i: int) -> str:
        pair = i // 2
        if i % 2 == 0:
            body, headers = signed[pair]
            for _ in range(5):
                if notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success":
                    return "notified"
            return "notification-failed"
        return f"reconciled:{payment_reconcile_one(payment_id=attempts[pair])}"

    outcomes = race(2 * PAIRS, work)

    assert outcomes["notified"] == PAIRS, outcomes
    # Each tick either settled the attempt itself or found the notification had (never both).
    assert set(outcomes) <= {"notified", "reconciled:paid", "reconciled:settled", "reconciled:busy"}, outcomes
    for order, attempt_id in zip(orders, attempts, strict=True):
        assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
        assert LedgerTransaction.objects.filter(order=order, kind="order.paid").count() == 1
        assert list(Payment.objects.filter(order=order).values_list("pk", "status", "held_in_suspense")) == [
            (attempt_id, "confirmed", False)
        ]
    assert ledger_check() == []
