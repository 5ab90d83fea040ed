"""Refunds by staff: access goes at once; money goes back the way it came, never on faith."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from fanwen.access import gate
from fanwen.access import selectors as access_selectors
from fanwen.commerce import selectors
from fanwen.commerce.models import Order, Refund
from fanwen.commerce.services import (
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    order_refund,
    wallet_credit,
)
from fanwen.commerce.services.errors import NotRefundable
from fanwen.commerce.services.ledger import family_balance_fen
from tests.commerce import testkeys
from tests.commerce.factories import make_document, make_user
from tests.commerce.providers_setup import ALIPAY_APP_ID, alipay_notification
from tests.commerce.standins import AlipayGatewayStandIn

pytestmark = pytest.mark.django_db


def test_wallet_refund_returns_money_at_once_and_revokes_access():
    staff = make_user(is_staff=True)
    author = make_user()
    reader = make_user()
    doc = make_document(price_fen=800, author=author)
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    assert gate.can_read_full(reader, doc)

    refund = order_refund(order_id=order.pk, actor=staff)

    assert refund.status == Refund.Status.DONE
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 1000
    assert not gate.can_read_full(reader, doc)
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    assert ledger_check() == []
    from fanwen.commerce.models import Account

    assert Account.objects.get(code=f"author:{author.pk}:pending").balance_fen == 0
    again = order_refund(order_id=order.pk, actor=staff)
    assert again.pk == refund.pk
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 1000


def test_refunding_an_unpaid_order_is_refused():
    order = order_create(user=make_user(), document_id=make_document().pk)
    with pytest.raises(NotRefundable):
        order_refund(order_id=order.pk, actor=make_user(is_staff=True))


def test_membership_refund_ends_membership():
    reader = make_user()
    wallet_credit(user=reader, amount_fen=10000, reason="x")
    order = order_create(user=reader, plan_code="month")
    order_pay_with_wallet(order_id=order.pk, user=reader)
    assert access_selectors.membership_active_until(user_id=reader.pk) is not None
    order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    assert access_selectors.membership_active_until(user_id=reader.pk) is None
    assert ledger_check() == []


def test_sandbox_refund_is_done_through_the_provider_path(settings):
    from fanwen.commerce.providers import registry

    reader = make_user()
    doc = make_document(price_fen=300)
    order = order_create(user=reader, document_id=doc.pk)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    refund = order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    assert refund.status == Refund.Status.DONE
    assert not gate.can_read_full(reader, doc)
    assert ledger_check() == []


def test_alipay_refund_stays_pending_while_unreachable_then_completes(real_providers, client):
    reader = make_user()
    doc = make_document(price_fen=500)
    order = order_create(user=reader, document_id=doc.pk)
    client.post("/payments/alipay/notify", alipay_notification(order), content_type="application/x-www-form-urlencoded")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID

    refund = order_refund(order_id=order.pk, actor=make_user(is_staff=True))

    # The gateway is unreachable: visibly pending, never done on faith; access is gone already.
    assert refund.status == Refund.Status.PENDING and refund.attempts == 1 and refund.last_error
    assert Order.objects.get(pk=order.pk).display_status == "退款中"
    assert not gate.can_read_full(reader, doc)
    assert ledger_check() == []

    with AlipayGatewayStandIn(
        app_public_key=testkeys.public(testkeys.APP), app_id=ALIPAY_APP_ID, alipay_key=testkeys.key(testkeys.ALIPAY)
    ) as gateway:
        real_providers.FANWEN_ALIPAY_GATEWAY = gateway.gateway
        Refund.objects.filter(pk=refund.pk).update(next_attempt_at=timezone.now())  # the next tick has come
        call_command("commerce_tick")
    refund.refresh_from_db()
    assert refund.status == Refund.Status.DONE and refund.attempts == 2
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    assert ledger_check() == []


def test_refund_api_is_staff_only(client):
    reader = make_user()
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order = order_create(user=reader, document_id=make_document().pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    from fanwen.accounts.services import api_token_create

    mine = api_token_create(user=reader)
    response = client.post(f"/api/v1/orders/{order.pk}/refund", HTTP_AUTHORIZATION=f"Bearer {mine}")
    assert response.status_code == 403
    staff = api_token_create(user=make_user(is_staff=True))
    response = client.post(f"/api/v1/orders/{order.pk}/refund", HTTP_AUTHORIZATION=f"Bearer {staff}")
    assert response.status_code == 200 and response.json()["status"] == "done"


def _sandbox_topup(reader, amount_fen: int) -> Order:
    from fanwen.commerce.providers import registry

    order = order_create(user=reader, topup_fen=amount_fen)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=amount_fen)
    assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    return order


def test_refund_of_a_spent_top_up_is_refused_before_any_money_moves():
    reader = make_user()
    topup = _sandbox_topup(reader, 1000)
    spend = order_create(user=reader, document_id=make_document(price_fen=800).pk)
    order_pay_with_wallet(order_id=spend.pk, user=reader)
    with pytest.raises(NotRefundable):
        order_refund(order_id=topup.pk, actor=make_user(is_staff=True))
    assert Refund.objects.count() == 0
    assert Order.objects.get(pk=topup.pk).status == Order.Status.PAID
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 200
    assert ledger_check() == []


def test_refund_of_an_unspent_top_up_takes_it_out_of_the_wallet():
    reader = make_user()
    topup = _sandbox_topup(reader, 1000)
    refund = order_refund(order_id=topup.pk, actor=make_user(is_staff=True))
    assert refund.status == Refund.Status.DONE
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 0
    from fanwen.commerce.models import Account

    assert Account.objects.get(code="refunding:platform").balance_fen == 0
    assert family_balance_fen("clearing:sandbox") == 0
    assert ledger_check() == []


def test_pending_provider_refund_holds_the_money_in_refunding(real_providers, client):
    from fanwen.commerce.models import Account

    reader = make_user()
    order = order_create(user=reader, document_id=make_document(price_fen=500, author=make_user()).pk)
    client.post("/payments/alipay/notify", alipay_notification(order), content_type="application/x-www-form-urlencoded")
    refund = order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    assert refund.status == Refund.Status.PENDING
    assert Account.objects.get(code="refunding:platform").balance_fen == 500
    assert family_balance_fen("revenue:platform") + Account.objects.filter(kind="pending").get().balance_fen == 0
    assert ledger_check() == []
