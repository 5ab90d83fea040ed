"""Provider notifications through the real endpoints: verified, applied once, answered exactly."""

from __future__ import annotations

import pytest

from fanwen.access import gate
from fanwen.commerce.models import AuditLog, LedgerTransaction, Order, Payment, ProviderNotification
from fanwen.commerce.services import ledger_check, order_create
from tests.commerce import testkeys
from tests.commerce.factories import make_document, make_user
from tests.commerce.providers_setup import (
    alipay_notification,
    wechat_headers_for_client,
    wechat_notification,
)

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def state() -> tuple[int, int, int, list[str]]:
    return (
        Payment.objects.filter(status="confirmed").count(),
        LedgerTransaction.objects.count(),
        ProviderNotification.objects.count(),
        sorted(Order.objects.values_list("status", flat=True)),
    )


@pytest.fixture
def order(real_providers) -> Order:
    return order_create(user=make_user(), document_id=make_document(price_fen=1234, author=make_user()).pk)


def test_genuine_alipay_notification_pays_and_grants(client, order):
    response = client.post("/payments/alipay/notify", alipay_notification(order), content_type=FORM)
    assert response.status_code == 200 and response.content == b"success"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert gate.can_read_full(order.user, order.document)
    assert ledger_check() == []


def test_duplicate_alipay_notification_is_success_and_changes_nothing_more(client, order):
    body = alipay_notification(order, notify_id="same-notify")
    assert client.post("/payments/alipay/notify", body, content_type=FORM).content == b"success"
    before = state()
    assert client.post("/payments/alipay/notify", body, content_type=FORM).content == b"success"
    # Same trade under a new notify_id (Alipay's TRADE_FINISHED later, say): still one payment.
    again = alipay_notification(order, trade_status="TRADE_FINISHED")
    assert client.post("/payments/alipay/notify", again, content_type=FORM).content == b"success"
    assert state()[:2] == before[:2]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda o: alipay_notification(o, role=testkeys.STRANGER), id="forged-signature"),
        pytest.param(lambda o: alipay_notification(o, role=testkeys.APP), id="signed-with-our-app-key"),
        pytest.param(lambda o: alipay_notification(o, total_amount="0.01"), id="wrong-amount"),
        pytest.param(lambda o: alipay_notification(o, app_id="2021999999999999"), id="wrong-app-id"),
        pytest.param(lambda o: alipay_notification(o, out_trade_no="FW20990101000000NOPE"), id="unknown-order"),
        pytest.param(lambda o: alipay_notification(o).replace(b"TRADE_SUCCESS", b"TRADE_SUCCESS&x=1"), id="tampered"),
        pytest.param(lambda o: b"not a form at all", id="garbage"),
    ],
)
def test_bad_alipay_notifications_change_nothing_and_are_never_success(client, order, forge):
    before = state()
    response = client.post("/payments/alipay/notify", forge(order), content_type=FORM)
    assert response.status_code < 500
    assert response.content != b"success"
    assert state() == before
    assert AuditLog.objects.filter(action="commerce.notification.rejected").count() == 1


def test_unpaid_trade_status_does_not_pay(client, order):
    body = alipay_notification(order, trade_status="WAIT_BUYER_PAY")
    assert client.post("/payments/alipay/notify", body, content_type=FORM).content == b"success"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_genuine_wechat_notification_pays(client, order):
    body, headers = wechat_notification(order)
    response = client.post("/payments/wechatpay/notify", body, content_type="application/json",
                           **wechat_headers_for_client(headers))
    assert response.status_code in (200, 204)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert ledger_check() == []


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda o: wechat_notification(o, age_seconds=360), id="stale-timestamp"),
        pytest.param(lambda o: wechat_notification(o, age_seconds=-360), id="future-timestamp"),
        pytest.param(lambda o: wechat_notification(o, amount={"total": 1, "payer_total": 1, "currency": "CNY"}), id="wrong-amount"),
        pytest.param(lambda o: wechat_notification(o, appid="wx0000000000000000"), id="wrong-appid"),
        pytest.param(lambda o: wechat_notification(o, out_trade_no="FW20990101000000NOPE"), id="unknown-order"),
    ],
)
def test_bad_wechat_notifications_change_nothing(client, order, make):
    body, headers = make(order)
    before = state()
    response = client.post("/payments/wechatpay/notify", body, content_type="application/json",
                           **wechat_headers_for_client(headers))
    assert response.status_code >= 400
    assert response.json()["code"] == "FAIL"
    assert state() == before


def test_payment_for_an_already_paid_order_is_held_in_suspense(client, order):
    from fanwen.commerce.services import order_pay_with_wallet, wallet_credit

    wallet_credit(user=order.user, amount_fen=5000, reason="x")
    order_pay_with_wallet(order_id=order.pk, user=order.user)
    assert client.post("/payments/alipay/notify", alipay_notification(order), content_type=FORM).content == b"success"
    from fanwen.commerce.models import Account

    assert Account.objects.get(code="suspense:platform").balance_fen == order.amount_fen
    assert AuditLog.objects.filter(action="commerce.payment.unmatched").count() == 1
    assert ledger_check() == []
