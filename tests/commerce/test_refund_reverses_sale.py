"""A refund either reverses the sale or returns a payment held in suspense; one never stands in for the other."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from fanwen.access import gate
from fanwen.commerce import selectors
from fanwen.commerce.models import Account, Order, Payment, Refund
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    order_refund,
    payment_refund_unmatched,
    wallet_credit,
)
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def _paid_twice() -> tuple[Order, Payment, object, object]:
    """An order paid from the wallet, then paid again through the sandbox (that money waits in suspense)."""
    reader = make_user()
    doc = make_document(price_fen=600, author=make_user())
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    suspended = Payment.objects.get(order=order, held_in_suspense=True)
    return order, suspended, reader, doc


def test_order_refund_after_a_suspense_return_reverses_the_sale():
    order, suspended, reader, doc = _paid_twice()
    staff = make_user(is_staff=True)
    returned = payment_refund_unmatched(payment_id=suspended.pk, actor=staff)
    assert returned.status == Refund.Status.DONE and returned.kind == Refund.Kind.SUSPENSE

    refund = order_refund(order_id=order.pk, actor=staff)

    assert refund.pk != returned.pk
    assert refund.kind == Refund.Kind.SALE and refund.payment.held_in_suspense is False
    assert refund.status == Refund.Status.DONE
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    assert not gate.can_read_full(reader, doc)
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 1000
    assert Account.objects.get(code="suspense:platform").balance_fen == 0
    assert ledger_check() == []


def test_a_pending_suspense_return_does_not_show_the_order_as_refunding():
    order, suspended, _reader, _doc = _paid_twice()
    Refund.objects.create(order=order, payment=suspended, amount_fen=suspended.amount_fen,
                          kind=Refund.Kind.SUSPENSE, out_request_no="RU-pending")
    assert Order.objects.get(pk=order.pk).display_status == "已支付"


def test_the_database_refuses_a_second_sale_reversal_for_one_order():
    order, suspended, _reader, _doc = _paid_twice()
    order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(order=order, payment=suspended, amount_fen=1, kind=Refund.Kind.SALE,
                              out_request_no="RF-second")


def test_the_database_refuses_a_second_sale_payment_for_one_order():
    order, _suspended, _reader, _doc = _paid_twice()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(order=order, method="sandbox", amount_fen=order.amount_fen, status="confirmed",
                               provider_ref="another-trade", held_in_suspense=False)
