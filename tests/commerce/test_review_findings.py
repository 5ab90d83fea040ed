"""Regression tests for the defects a review found (double purchase, expired grants, suspense refunds, input)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanwen.access import gate
from fanwen.access.models import Entitlement
from fanwen.commerce import selectors
from fanwen.commerce.models import Account, Order, Payment, Refund
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    entitlement_grant,
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    order_refund,
    payment_refund_unmatched,
    wallet_credit,
)
from fanwen.commerce.services.errors import AlreadyOwned
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def sandbox_pay(order: Order) -> bytes:
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    return notification_handle(provider_name="sandbox", body=body, headers=headers).body


def test_second_order_for_an_owned_document_is_not_charged():
    reader = make_user()
    doc = make_document(price_fen=500)
    wallet_credit(user=reader, amount_fen=2000, reason="x")
    first, second = order_create(user=reader, document_id=doc.pk), order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=first.pk, user=reader)
    with pytest.raises(AlreadyOwned):
        order_pay_with_wallet(order_id=second.pk, user=reader)
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 1500


def test_late_provider_payment_for_an_owned_document_goes_to_suspense_and_can_be_returned():
    reader = make_user()
    doc = make_document(price_fen=500)
    wallet_credit(user=reader, amount_fen=2000, reason="x")
    qr_order, wallet_order = order_create(user=reader, document_id=doc.pk), order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=wallet_order.pk, user=reader)
    assert sandbox_pay(qr_order) == b"success"  # the buyer finished paying the other order too
    payment = Payment.objects.get(order=qr_order)
    assert payment.held_in_suspense and Order.objects.get(pk=qr_order.pk).status == Order.Status.PENDING
    assert Account.objects.get(code="suspense:platform").balance_fen == 500
    refund = payment_refund_unmatched(payment_id=payment.pk, actor=make_user(is_staff=True))
    assert refund.status == Refund.Status.DONE and not refund.reverses_sale
    assert Account.objects.get(code="suspense:platform").balance_fen == 0
    assert gate.can_read_full(reader, doc)  # the access bought with the wallet is untouched
    assert ledger_check() == []


def test_refunding_the_order_does_not_refund_the_unmatched_payment_instead():
    reader = make_user()
    order = order_create(user=reader, plan_code="month")
    assert sandbox_pay(order) == b"success"
    # A different trade for the same order (the sandbox derives trade_no from the order, so fake a second one):
    Payment.objects.create(order=order, method="sandbox", amount_fen=order.amount_fen, status="confirmed",
                           provider_ref="another-trade", held_in_suspense=True, confirmed_at=timezone.now())
    refund = order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    assert refund.payment.held_in_suspense is False and refund.reverses_sale


def test_an_expired_grant_does_not_swallow_a_purchase():
    reader = make_user()
    doc = make_document(price_fen=500)
    entitlement, _ = entitlement_grant(user_id=reader.pk, document_id=doc.pk)
    Entitlement.objects.filter(pk=entitlement.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert not gate.can_read_full(reader, doc)
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    assert gate.can_read_full(reader, doc)


def test_a_paid_document_cannot_be_priced_at_zero():
    doc = make_document(price_fen=500)
    doc.price_fen = 0
    with pytest.raises(ValidationError):
        doc.full_clean()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        doc.save()


def test_multipart_posts_to_the_api_are_not_500(client):
    response = client.post("/api/v1/auth/token", {"username": "a", "password": "b"})
    assert response.status_code < 500


def test_nul_in_a_cookie_is_a_400(client):
    client.cookies["sessionid"] = "\x00abcdefghijklmnop"
    assert client.get("/").status_code == 400


def test_admin_payment_list_and_unmatched_refund_action(client):
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/commerce/payment/").status_code == 200
