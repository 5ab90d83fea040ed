"""Races between different ways money moves, on SQLite (IMMEDIATE transactions) and PostgreSQL
(row locks): a wallet payment against a provider notification, a refund against a payment,
two membership renewals.  Each proof races many pairs at once and then checks every pair."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from fanwen.access import gate
from fanwen.access.models import Entitlement, MembershipPeriod
from fanwen.commerce import selectors
from fanwen.commerce.models import (
    Account,
    LedgerTransaction,
    Order,
    Payment,
    Plan,
    Refund,
)
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    order_refund,
    wallet_credit,
)
from tests.commerce.factories import make_document, make_user
from tests.commerce.racing import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]
PAIRS = 10
PRICE = 500


def notify_paid(order: Order, signed: tuple[bytes, dict[str, str]] | None = None) -> str:
    """The provider tells us the order was paid, and retries until it is answered ``success``
    (a busy database is answered with a failure, as it would be in production)."""
    body, headers = signed or registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    for _ in range(5):
        reply = notification_handle(provider_name="sandbox", body=body, headers=headers)
        if reply.body == b"success":
            return "notified"
    return "notification-failed"


def wallet_pay(order: Order, user: object) -> str:
    order_pay_with_wallet(order_id=order.pk, user=user)
    return "wallet-paid"


def suspense_fen() -> int:
    return Account.objects.filter(code="suspense:platform").values_list("balance_fen", flat=True).first() or 0


def assert_one_sale_of(doc_id: int, reader: object) -> str:
    """Exactly one sale of the document to the reader, one access, and any other payment in suspense.
    Returns how the sale was paid."""
    sales = Payment.objects.filter(order__document_id=doc_id, held_in_suspense=False, status="confirmed")
    assert sales.count() == 1, list(sales.values("order_id", "method"))
    sale = sales.get()
    assert LedgerTransaction.objects.filter(order__document_id=doc_id, kind="order.paid").count() == 1
    assert Order.objects.filter(document_id=doc_id, status=Order.Status.PAID).get().pk == sale.order_id
    active = Entitlement.objects.filter(document_id=doc_id, user=reader, revoked_at__isnull=True)
    assert list(active.values_list("order_id", flat=True)) == [sale.order_id]
    others = Payment.objects.filter(order__document_id=doc_id).exclude(pk=sale.pk)
    assert all(p.held_in_suspense and p.method == "sandbox" for p in others), list(others.values())
    return sale.method


def _check_wallet_against_sale(reader: object, start_fen: int, docs: list) -> None:  # type: ignore[type-arg]
    methods = [assert_one_sale_of(doc.pk, reader) for doc in docs]
    wallet_sales = methods.count("wallet")
    assert selectors.wallet_balance_fen(user_id=reader.pk) == start_fen - PRICE * wallet_sales  # type: ignore[attr-defined]
    assert suspense_fen() == PRICE * Payment.objects.filter(held_in_suspense=True).count()
    assert Payment.objects.filter(held_in_suspense=True).count() == wallet_sales  # every sandbox payment that lost
    assert ledger_check() == []


def test_wallet_payment_and_notification_paying_one_order_at_once():
    reader, author = make_user(), make_user()
    wallet_credit(user=reader, amount_fen=PAIRS * PRICE, reason="x")
    docs = [make_document(price_fen=PRICE, author=author) for _ in range(PAIRS)]
    orders = [order_create(user=reader, document_id=doc.pk) for doc in docs]

    results = race(2 * PAIRS, lambda i: wallet_pay(orders[i // 2], reader) if i % 2 else notify_paid(orders[i // 2]))

    assert results["notified"] == PAIRS, results  # every notification is answered success, sale or suspense
    assert results["wallet-paid"] + results["AlreadyPaid"] == PAIRS, results
    _check_wallet_against_sale(reader, PAIRS * PRICE, docs)


def test_wallet_payment_and_notification_paying_two_orders_for_one_document_at_once():
    """The buyer opened two checkouts for one document and paid one from the wallet and the
    other through the provider at the same moment: one sale, one access, the other money
    refused (wallet) or held in suspense for staff to return (provider)."""
    reader, author = make_user(), make_user()
    wallet_credit(user=reader, amount_fen=PAIRS * PRICE, reason="x")
    docs = [make_document(price_fen=PRICE, author=author) for _ in range(PAIRS)]
    pairs = [(order_create(user=reader, document_id=d.pk), order_create(user=reader, document_id=d.pk)) for d in docs]

    results = race(2 * PAIRS, lambda i: wallet_pay(pairs[i // 2][0], reader) if i % 2 else notify_paid(pairs[i // 2][1]))

    assert results["notified"] == PAIRS, results
    assert results["wallet-paid"] + results["AlreadyOwned"] == PAIRS, results
    _check_wallet_against_sale(reader, PAIRS * PRICE, docs)


def test_refund_racing_a_late_notification_for_the_same_order():
    staff, reader, author = make_user(is_staff=True), make_user(), make_user()
    wallet_credit(user=reader, amount_fen=PAIRS * PRICE, reason="x")
    docs = [make_document(price_fen=PRICE, author=author) for _ in range(PAIRS)]
    orders = [order_create(user=reader, document_id=doc.pk) for doc in docs]
    for order in orders:
        order_pay_with_wallet(order_id=order.pk, user=reader)

    def refund(order: Order) -> str:
        return f"refund-{order_refund(order_id=order.pk, actor=staff).status}"

    results = race(2 * PAIRS, lambda i: refund(orders[i // 2]) if i % 2 else notify_paid(orders[i // 2]))

    assert results == {"refund-done": PAIRS, "notified": PAIRS}, results
    for order, doc in zip(orders, docs, strict=True):
        assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
        assert Refund.objects.get(order=order, kind=Refund.Kind.SALE).payment.method == "wallet"
        assert Payment.objects.get(order=order, method="sandbox").held_in_suspense
        assert not gate.can_read_full(reader, doc)
    assert selectors.wallet_balance_fen(user_id=reader.pk) == PAIRS * PRICE
    assert Account.objects.get(code=f"author:{author.pk}:pending").balance_fen == 0
    assert suspense_fen() == PAIRS * PRICE
    assert ledger_check() == []


def test_refund_racing_the_first_payment_of_an_order():
    """Staff refund an order at the moment its payment arrives: either the refund comes first
    and is refused (the order is not paid yet), or it comes second and reverses the sale —
    never a refunded order with access, or a paid order without."""
    staff, reader, author = make_user(is_staff=True), make_user(), make_user()
    docs = [make_document(price_fen=PRICE, author=author) for _ in range(PAIRS)]
    orders = [order_create(user=reader, document_id=doc.pk) for doc in docs]

    signed = [registry.sandbox_sign_notification(out_trade_no=o.number, amount_fen=o.amount_fen) for o in orders]

    def refund(k: int) -> str:
        time.sleep(0.008 * k)  # sweep the refund across the payment's window, so both orders of events occur
        return f"refund-{order_refund(order_id=orders[k].pk, actor=staff).status}"

    results = race(2 * PAIRS, lambda i: refund(i // 2) if i % 2 else notify_paid(orders[i // 2], signed[i // 2]))

    assert results["notified"] == PAIRS and results["refund-done"] + results["NotRefundable"] == PAIRS, results
    for order, doc in zip(orders, docs, strict=True):
        status = Order.objects.get(pk=order.pk).status
        refunds = list(Refund.objects.filter(order=order))
        if refunds:
            assert status == Order.Status.REFUNDED and [r.status for r in refunds] == [Refund.Status.DONE]
            assert not gate.can_read_full(reader, doc)
        else:
            assert status == Order.Status.PAID and gate.can_read_full(reader, doc)
        assert Payment.objects.filter(order=order).count() == 1
    refunded = Order.objects.filter(status=Order.Status.REFUNDED).count()
    assert refunded == results["refund-done"]
    assert Account.objects.get(code=f"author:{author.pk}:pending").balance_fen == (PAIRS - refunded) * (PRICE * 70 // 100)
    assert ledger_check() == []


def test_refund_racing_a_wallet_payment_by_the_same_buyer():
    """Staff refund one purchase while the buyer pays for another from the same wallet: the
    two transactions touch the same wallet, author and revenue accounts, and must take their
    locks in one order (no deadlock, no Busy) and leave exact balances."""
    staff, reader, author = make_user(is_staff=True), make_user(), make_user()
    # The author's and the platform's accounts exist before the buyer's wallet (lower ids), so a
    # transaction that locked the wallet first would take the accounts out of ascending order.
    earlier = make_user()
    wallet_credit(user=earlier, amount_fen=PRICE, reason="x")
    wallet_pay(order_create(user=earlier, document_id=make_document(price_fen=PRICE, author=author).pk), earlier)
    wallet_credit(user=reader, amount_fen=PAIRS * PRICE, reason="x")
    refunded = [order_create(user=reader, document_id=make_document(price_fen=PRICE, author=author).pk)
                for _ in range(PAIRS)]
    for order in refunded:
        order_pay_with_wallet(order_id=order.pk, user=reader)
    wallet_credit(user=reader, amount_fen=PAIRS * PRICE, reason="y")
    bought = [order_create(user=reader, document_id=make_document(price_fen=PRICE, author=author).pk)
              for _ in range(PAIRS)]

    def work(i: int) -> str:
        if i % 2:
            return f"refund-{order_refund(order_id=refunded[i // 2].pk, actor=staff).status}"
        return wallet_pay(bought[i // 2], reader)

    results = race(2 * PAIRS, work)

    assert results == {"refund-done": PAIRS, "wallet-paid": PAIRS}, results
    assert selectors.wallet_balance_fen(user_id=reader.pk) == PAIRS * PRICE
    share = PRICE * 70 // 100
    assert Account.objects.get(code=f"author:{author.pk}:pending").balance_fen == (PAIRS + 1) * share
    assert Order.objects.filter(pk__in=[o.pk for o in refunded], status=Order.Status.REFUNDED).count() == PAIRS
    assert Order.objects.filter(pk__in=[o.pk for o in bought], status=Order.Status.PAID).count() == PAIRS
    assert ledger_check() == []


@pytest.mark.parametrize("pay", ["wallet", "provider"])
def test_two_membership_renewals_at_once_add_both_periods(pay):
    readers = [make_user() for _ in range(PAIRS)]
    plan, _ = Plan.objects.get_or_create(code="month", defaults={"name": "月卡", "days": 30, "price_fen": 1500})
    days, price = timedelta(days=plan.days), plan.price_fen
    for reader in readers:
        wallet_credit(user=reader, amount_fen=2 * price, reason="x")
    orders = [(order_create(user=r, plan_code="month"), order_create(user=r, plan_code="month")) for r in readers]

    def renew(i: int) -> str:
        order = orders[i // 2][i % 2]
        return wallet_pay(order, readers[i // 2]) if pay == "wallet" else notify_paid(order)

    results = race(2 * PAIRS, renew)

    assert results == {"wallet-paid" if pay == "wallet" else "notified": 2 * PAIRS}, results
    for reader, pair in zip(readers, orders, strict=True):
        first, second = MembershipPeriod.objects.filter(user=reader).order_by("starts_at", "id")
        assert {first.order_id, second.order_id} == {pair[0].pk, pair[1].pk}
        assert second.starts_at == first.ends_at, (first, second)
        assert second.ends_at - first.starts_at == 2 * days
        for order in pair:
            assert LedgerTransaction.objects.filter(order=order, kind="order.paid").count() == 1
            assert Payment.objects.filter(order=order, held_in_suspense=False).count() == 1
        expected_wallet = 0 if pay == "wallet" else 2 * price
        assert selectors.wallet_balance_fen(user_id=reader.pk) == expected_wallet
    assert ledger_check() == []

