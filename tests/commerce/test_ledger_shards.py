"""No hot rows (issue #13): a sale credits the platform's revenue shard of its order
(``revenue:platform:<order id mod FANWEN_LEDGER_SHARDS>``) and a provider payment its clearing
shard, so concurrent sales lock different rows; the books still balance and ``ledger check``
still proves every shard."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection, connections

from fanwen.commerce.models import Account, LedgerEntry, LedgerTransaction, Order
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    order_refund,
    wallet_credit,
)
from fanwen.commerce.services.errors import Busy
from fanwen.commerce.services.fulfilment import author_share_fen
from fanwen.commerce.services.ledger import family_balance_fen, revenue_account, shard_count
from tests.commerce.factories import make_document, make_user
from tests.commerce.racing import race

PRICE = 500
N_BUYERS = 16


def _buyer_with(fen: int) -> object:
    buyer = make_user()
    wallet_credit(user=buyer, amount_fen=fen, reason="x")
    return buyer


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("concurrency")
def test_buyers_buying_different_documents_at_once_all_succeed_and_the_shards_balance():
    buyers = [_buyer_with(PRICE) for _ in range(N_BUYERS)]
    orders = [order_create(user=b, document_id=make_document(price_fen=PRICE, author=make_user()).pk) for b in buyers]

    results = race(N_BUYERS, lambda i: (order_pay_with_wallet(order_id=orders[i].pk, user=buyers[i]), "paid")[1])

    assert results == {"paid": N_BUYERS}, results
    assert ledger_check() == []
    platform_cut = N_BUYERS * (PRICE - author_share_fen(PRICE))
    assert family_balance_fen("revenue:platform") == platform_cut
    revenue = Account.objects.filter(kind=Account.Kind.REVENUE)
    assert revenue.count() == min(N_BUYERS, shard_count()) > 1  # spread, not one row
    for order in orders:
        shard = f"revenue:platform:{order.pk % shard_count()}"
        assert LedgerEntry.objects.filter(transaction__order=order, account__code=shard).count() == 1
    assert not Account.objects.filter(code="revenue:platform").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("concurrency")
def test_a_sale_is_not_held_up_by_a_transaction_holding_another_sales_revenue_row():
    """The proof that sales no longer queue on one platform row: while another connection holds
    the revenue row of order A locked, order B (another shard) is paid at once, and A itself
    waits (here: gives up after a short lock timeout).  Before the shards, B waited too."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite serialises every writer on the database lock anyway")
    a_buyer, b_buyer = _buyer_with(PRICE), _buyer_with(PRICE)
    order_a = order_create(user=a_buyer, document_id=make_document(price_fen=PRICE, author=make_user()).pk)
    order_b = order_create(user=b_buyer, document_id=make_document(price_fen=PRICE, author=make_user()).pk)
    assert order_a.pk % shard_count() != order_b.pk % shard_count()
    held_id = revenue_account(order_a.pk).pk
    revenue_account(order_b.pk)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("SELECT id FROM commerce_account WHERE id = %s FOR UPDATE", [held_id])
                locked.set()
                release.wait(30)
                cursor.execute("ROLLBACK")
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        order_pay_with_wallet(order_id=order_b.pk, user=b_buyer)  # another shard: not held up
        assert Order.objects.get(pk=order_b.pk).status == Order.Status.PAID
        with pytest.raises(Busy):
            order_pay_with_wallet(order_id=order_a.pk, user=a_buyer)  # the held shard: waits
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    order_pay_with_wallet(order_id=order_a.pk, user=a_buyer)
    assert ledger_check() == []


@pytest.mark.django_db
def test_ledger_check_finds_a_broken_shard():
    buyer = _buyer_with(PRICE)
    order = order_create(user=buyer, document_id=make_document(price_fen=PRICE, author=make_user()).pk)
    order_pay_with_wallet(order_id=order.pk, user=buyer)
    assert ledger_check() == []
    shard = f"revenue:platform:{order.pk % shard_count()}"

    Account.objects.filter(code=shard).update(balance_fen=1)

    problems = [p.what for p in ledger_check()]
    assert any(shard in p and "stored 1" in p for p in problems), problems
    assert any("all balances sum to" in p for p in problems), problems


@pytest.mark.django_db
def test_the_shard_count_is_a_setting(settings):
    settings.FANWEN_LEDGER_SHARDS = 3
    for _ in range(6):
        buyer = _buyer_with(PRICE)
        order = order_create(user=buyer, document_id=make_document(price_fen=PRICE, author=make_user()).pk)
        order_pay_with_wallet(order_id=order.pk, user=buyer)
    codes = set(Account.objects.filter(kind=Account.Kind.REVENUE).values_list("code", flat=True))
    assert codes == {"revenue:platform:0", "revenue:platform:1", "revenue:platform:2"}
    assert ledger_check() == []


@pytest.mark.django_db
def test_a_refund_leaves_the_shard_its_payment_came_in_by_even_after_the_shard_count_changed(settings):
    """Paid with 16 shards (or before the shards: shard 0), refunded with another count: the
    money goes back out of the shard it came in by, so every shard nets to zero."""
    settings.FANWEN_LEDGER_SHARDS = 16
    orders = []
    for _ in range(3):
        order = order_create(user=make_user(), document_id=make_document(price_fen=PRICE, author=make_user()).pk)
        body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=PRICE)
        assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
        orders.append(order)
    assert any(order.pk % 16 != order.pk % 2 for order in orders)
    settings.FANWEN_LEDGER_SHARDS = 2
    for order in orders:
        order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    clearing = Account.objects.filter(code__startswith="clearing:sandbox")
    assert {a.code: a.balance_fen for a in clearing if a.balance_fen} == {}
    assert ledger_check() == []


@pytest.mark.django_db
def test_a_provider_sale_and_its_refund_use_the_orders_clearing_shard():
    buyer = make_user()
    order = order_create(user=buyer, document_id=make_document(price_fen=PRICE, author=make_user()).pk)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=PRICE)
    assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    shard = f"clearing:sandbox:{order.pk % shard_count()}"
    assert Account.objects.get(code=shard).balance_fen == -PRICE

    order_refund(order_id=order.pk, actor=make_user(is_staff=True))

    assert Account.objects.get(code=shard).balance_fen == 0
    assert family_balance_fen("clearing:sandbox") == 0 == family_balance_fen("revenue:platform")
    assert ledger_check() == []


@pytest.mark.django_db
def test_the_migration_makes_the_old_single_accounts_shard_0_keeping_their_entries():
    migration = importlib.import_module("fanwen.commerce.migrations.0010_ledger_shards")
    promotion = Account.objects.create(code="promotion:platform", kind="promotion")
    old_revenue = Account.objects.create(code="revenue:platform", kind="revenue")
    old_clearing = Account.objects.create(code="clearing:alipay", kind="clearing")
    author = Account.objects.create(code="author:1", kind="author")
    tx = LedgerTransaction.objects.create(kind="order.paid")
    moves = [(old_clearing, -1000), (old_revenue, 300), (author, 700)]
    for account, amount in moves:
        LedgerEntry.objects.create(transaction=tx, account=account, amount_fen=amount)
        Account.objects.filter(pk=account.pk).update(balance_fen=amount)
    assert ledger_check() == []

    migration.to_shards(apps, None)

    assert Account.objects.get(pk=old_revenue.pk).code == "revenue:platform:0"
    assert Account.objects.get(pk=old_clearing.pk).code == "clearing:alipay:0"
    assert Account.objects.get(pk=author.pk).code == "author:1"
    assert Account.objects.get(pk=promotion.pk).code == "promotion:platform"
    assert family_balance_fen("revenue:platform") == 300 and family_balance_fen("clearing:alipay") == -1000
    assert ledger_check() == []
    migration.to_shards(apps, None)  # twice is harmless
    assert Account.objects.get(pk=old_revenue.pk).code == "revenue:platform:0"

    migration.from_shards(apps, None)

    assert Account.objects.get(pk=old_revenue.pk).code == "revenue:platform"
    assert Account.objects.get(pk=old_clearing.pk).code == "clearing:alipay"
    assert ledger_check() == []
