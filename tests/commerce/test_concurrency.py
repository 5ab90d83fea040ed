"""Proofs under real concurrency, on SQLite (IMMEDIATE transactions) and PostgreSQL (row locks).

Each proof runs N threads, each with its own database connection, released together
by a barrier so that they truly race."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from fanwen.commerce import selectors
from fanwen.commerce.models import LedgerTransaction, Order, Payment, ProviderNotification
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    wallet_credit,
)
from tests.commerce.factories import make_document, make_user
from tests.commerce.racing import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]
N = 50


def test_50_parallel_wallet_payments_of_one_order_charge_once():
    reader = make_user()
    wallet_credit(user=reader, amount_fen=100_00, reason="x")
    order = order_create(user=reader, document_id=make_document(price_fen=700, author=make_user()).pk)

    results = race(N, lambda i: (order_pay_with_wallet(order_id=order.pk, user=reader), "paid")[1])

    assert results["paid"] == 1, results
    assert results["paid"] + results["AlreadyPaid"] + results["Busy"] == N, results
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 100_00 - 700
    assert Payment.objects.filter(order=order).count() == 1
    assert LedgerTransaction.objects.filter(order=order).count() == 1
    assert ledger_check() == []


def test_50_parallel_identical_genuine_notifications_make_one_payment_and_all_succeed():
    reader = make_user()
    order = order_create(user=reader, document_id=make_document(price_fen=990).pk)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)

    def deliver(i: int) -> str:
        reply = notification_handle(provider_name="sandbox", body=body, headers=headers)
        return reply.body.decode()

    results = race(N, deliver)

    assert results == Counter({"success": N}), results
    assert Payment.objects.filter(order=order, status="confirmed").count() == 1
    assert LedgerTransaction.objects.filter(order=order, kind="order.paid").count() == 1
    assert ProviderNotification.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert ledger_check() == []


def test_racing_purchases_the_balance_cannot_cover_never_overdraw():
    reader = make_user()
    wallet_credit(user=reader, amount_fen=5_00, reason="x")
    orders = [order_create(user=reader, document_id=make_document(price_fen=100).pk) for _ in range(20)]

    results = race(len(orders), lambda i: (order_pay_with_wallet(order_id=orders[i].pk, user=reader), "paid")[1])

    assert results["paid"] == 5, results
    assert results["InsufficientBalance"] + results["Busy"] == 15, results
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 0
    assert Order.objects.filter(status="paid").count() == 5
    assert ledger_check() == []


def test_parallel_orders_with_one_idempotency_key_make_one_order():
    reader = make_user()
    doc = make_document()

    results = race(20, lambda i: str(order_create(user=reader, document_id=doc.pk, idempotency_key="same").pk))

    assert len(results) == 1, results
    assert Order.objects.filter(user=reader).count() == 1


def test_the_proofs_ran_on_the_database_ci_asked_for():
    import os

    if os.environ.get("FANWEN_REQUIRE_SERVERS"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in ("sqlite", "postgresql")
