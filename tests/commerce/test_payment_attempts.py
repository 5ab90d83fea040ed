"""Payment attempts: created → pending → confirmed | failed | cancelled, and reconciliation of
notifications that never arrived (sandbox, Alipay and WeChat Pay query paths)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fanwen.access.models import Entitlement
from fanwen.commerce import selectors
from fanwen.commerce.models import AuditLog, LedgerTransaction, Order, Payment
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    orders_expire_stale,
    payment_start,
    payments_reconcile,
    wallet_credit,
)
from tests.commerce import testkeys
from tests.commerce.factories import make_document, make_user
from tests.commerce.providers_setup import ALIPAY_APP_ID, alipay_notification
from tests.commerce.standins import AlipayGatewayStandIn, WechatPayStandIn
from tests.commerce.test_provider_wechatpay import MCH_ID, MERCHANT_SERIAL, PLATFORM_KEY_ID, transaction

pytestmark = pytest.mark.django_db


def checkout(method: str = "sandbox", price_fen: int = 800) -> tuple[Any, Order]:
    reader = make_user()
    order = order_create(user=reader, document_id=make_document(price_fen=price_fen, author=make_user()).pk)
    payment_start(order_id=order.pk, user=reader, method=method, channel="", notify_url="https://fanwen.example/n",
                  return_url="https://fanwen.example/r", client_ip="127.0.0.1")
    return reader, order


def age(order: Order, minutes: int = 5) -> None:
    """The attempt was made ``minutes`` ago (reconciliation waits FANWEN_PAYMENT_RECONCILE_AFTER_SECONDS)."""
    Payment.objects.filter(order=order).update(created_at=timezone.now() - timedelta(minutes=minutes))


def sandbox_notify(order: Order, **kw: Any) -> bytes:
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen, **kw)
    return notification_handle(provider_name="sandbox", body=body, headers=headers).body


def one_sale(order: Order, reader: Any) -> None:
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert LedgerTransaction.objects.filter(order=order, kind="order.paid").count() == 1
    assert Entitlement.objects.filter(user=reader, document_id=order.document_id).count() == 1
    assert Payment.objects.filter(order=order, status="confirmed", held_in_suspense=False).count() == 1
    assert ledger_check() == []


# ---- lifecycle ----------------------------------------------------------------------------------


def test_checkout_attempt_is_pending_and_is_the_one_the_notification_confirms():
    reader, order = checkout()
    [attempt] = Payment.objects.filter(order=order)
    assert attempt.status == Payment.Status.PENDING and attempt.check_provider

    assert sandbox_notify(order) == b"success"

    assert list(Payment.objects.filter(order=order).values_list("pk", "status")) == [(attempt.pk, "confirmed")]
    attempt.refresh_from_db()
    assert attempt.provider_ref and attempt.confirmed_at and not attempt.check_provider
    one_sale(order, reader)


def test_paying_again_reuses_the_open_attempt():
    reader, order = checkout()
    payment_start(order_id=order.pk, user=reader, method="sandbox", channel="", notify_url="https://x/n",
                  return_url="https://x/r", client_ip=None)
    assert Payment.objects.filter(order=order).count() == 1


def test_duplicate_notification_is_idempotent():
    reader, order = checkout()
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    for _ in range(3):
        assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    assert sandbox_notify(order) == b"success"  # the same trade under a new notify id
    assert Payment.objects.filter(order=order).count() == 1
    one_sale(order, reader)


def test_second_different_payment_of_a_paid_order_goes_to_suspense(real_providers, client, monkeypatch):
    monkeypatch.setenv("FANWEN_SANDBOX_ENABLED", "1")  # offered beside the real providers
    reader, order = checkout()
    assert sandbox_notify(order) == b"success"
    # The buyer also paid with Alipay (another trade): the money is held for staff to return.
    reply = client.post("/payments/alipay/notify", alipay_notification(order), content_type="application/x-www-form-urlencoded")
    assert reply.content == b"success"
    extra = Payment.objects.get(order=order, method="alipay")
    assert extra.status == "confirmed" and extra.held_in_suspense
    one_sale(order, reader)


def test_wallet_payment_leaves_the_provider_attempt_open_and_its_late_payment_in_suspense():
    reader, order = checkout()
    wallet_credit(user=reader, amount_fen=1000, reason="test")
    order_pay_with_wallet(order_id=order.pk, user=reader)
    assert sandbox_notify(order) == b"success"
    attempt = Payment.objects.get(order=order, method="sandbox")
    assert attempt.status == "confirmed" and attempt.held_in_suspense
    one_sale(order, reader)


def test_provider_reported_close_marks_the_attempt_failed():
    _, order = checkout()
    assert sandbox_notify(order, trade_status="TRADE_CLOSED") == b"success"
    attempt = Payment.objects.get(order=order)
    assert attempt.status == Payment.Status.FAILED and attempt.closed_at and not attempt.check_provider
    assert AuditLog.objects.filter(action="commerce.payment.failed", order=order).count() == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_wait_buyer_pay_keeps_the_attempt_pending():
    _, order = checkout()
    assert sandbox_notify(order, trade_status="WAIT_BUYER_PAY") == b"success"
    assert Payment.objects.get(order=order).status == Payment.Status.PENDING


def test_expiry_cancels_open_attempts_and_audits_each_order():
    _, first = checkout()
    _, second = checkout()
    Order.objects.filter(pk__in=[first.pk, second.pk]).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert orders_expire_stale() == 2

    assert set(Payment.objects.values_list("status", flat=True)) == {"cancelled"}
    expired = AuditLog.objects.filter(action="commerce.order.expired")
    assert sorted(a.data["order_id"] for a in expired) == sorted([first.pk, second.pk])
    assert orders_expire_stale() == 0


def test_payment_made_just_before_expiry_with_a_lost_notification_still_fulfils():
    reader, order = checkout()
    registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)  # paid; notify lost
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    orders_expire_stale()
    assert Payment.objects.get(order=order).status == "cancelled"
    age(order)

    assert payments_reconcile() == {"paid": 1}
    one_sale(order, reader)


def test_payments_count_by_state_counts_every_state():
    checkout()
    _, paid = checkout()
    sandbox_notify(paid)
    counts = selectors.payments_count_by_state()
    assert set(counts) == set(Payment.Status.values)
    assert counts["pending"] == 1 and counts["confirmed"] == 1 and counts["failed"] == 0


def test_order_page_shows_the_attempt_state_in_chinese(client):
    reader, order = checkout()
    client.force_login(reader)
    assert "等待支付" in client.get(f"/orders/{order.number}/").content.decode()
    sandbox_notify(order)
    assert "已确认" in client.get(f"/orders/{order.number}/").content.decode()


# ---- reconciliation -----------------------------------------------------------------------------


def test_lost_notification_is_reconciled_within_two_ticks():
    reader, order = checkout()
    attempt = Payment.objects.get(order=order)
    # The provider (sandbox stand-in) records the trade as paid; its notification never arrives.
    registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)

    assert payments_reconcile() == {}  # too young: the notification may still come
    age(order)
    ticks = 0
    while Order.objects.get(pk=order.pk).status != Order.Status.PAID and ticks < 2:
        payments_reconcile()
        ticks += 1

    one_sale(order, reader)
    assert list(Payment.objects.filter(order=order).values_list("pk", flat=True)) == [attempt.pk]
    assert payments_reconcile() == {}  # settled: not asked again
    assert sandbox_notify(order) == b"success"  # the notification turns up after all
    one_sale(order, reader)


def test_reconcile_leaves_an_unpaid_payable_attempt_waiting_then_cancels_it_after_expiry():
    _, order = checkout()
    age(order)
    assert payments_reconcile() == {"waiting": 1}  # the sandbox knows no such trade yet
    assert Payment.objects.get(order=order).status == "pending"
    assert payments_reconcile() == {}  # checked a moment ago: not again this tick
    Payment.objects.filter(order=order).update(checked_at=timezone.now() - timedelta(minutes=5))
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert payments_reconcile() == {"waiting": 1}  # just expired: the buyer may still be paying
    Payment.objects.filter(order=order).update(checked_at=timezone.now() - timedelta(minutes=5))
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=11))
    assert payments_reconcile() == {"cancelled": 1}  # expired past the grace: "not paid" is final
    assert Payment.objects.get(order=order).status == "cancelled"
    assert payments_reconcile() == {}


def test_reconcile_marks_a_closed_trade_failed():
    _, order = checkout()
    registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen, trade_status="TRADE_CLOSED")
    age(order)
    assert payments_reconcile() == {"failed": 1}
    assert Payment.objects.get(order=order).status == "failed"


def test_reconcile_is_bounded_per_tick(settings):
    settings.FANWEN_PAYMENT_RECONCILE_BATCH = 2
    orders = [checkout()[1] for _ in range(3)]
    for order in orders:
        age(order)
    assert sum(payments_reconcile().values()) == 2
    assert sum(payments_reconcile().values()) == 1


@pytest.fixture
def alipay_gateway(real_providers) -> Any:
    with AlipayGatewayStandIn(
        app_public_key=testkeys.public(testkeys.APP), app_id=ALIPAY_APP_ID, alipay_key=testkeys.key(testkeys.ALIPAY)
    ) as gateway:
        real_providers.FANWEN_ALIPAY_GATEWAY = gateway.gateway
        yield gateway


def test_alipay_query_reconciles_a_lost_notification(alipay_gateway):
    reader, order = checkout("alipay")
    alipay_gateway.trades[order.number] = {
        "trade_no": f"2024{order.number[-12:]}", "trade_status": "TRADE_SUCCESS", "total_amount": "8.00",
        "send_pay_date": "2026-11-30 12:00:04",
    }
    age(order)
    assert payments_reconcile() == {"paid": 1}
    one_sale(order, reader)
    assert Payment.objects.get(order=order).provider_ref == f"2024{order.number[-12:]}"


def test_alipay_query_closed_trade_fails_the_attempt(alipay_gateway):
    _, order = checkout("alipay")
    alipay_gateway.trades[order.number] = {
        "trade_no": f"2024{order.number[-12:]}", "trade_status": "TRADE_CLOSED", "total_amount": "8.00",
    }
    age(order)
    assert payments_reconcile() == {"failed": 1}
    assert Payment.objects.get(order=order).status == "failed"


def test_alipay_query_answer_with_a_wrong_amount_pays_nothing(alipay_gateway):
    _, order = checkout("alipay")
    alipay_gateway.trades[order.number] = {
        "trade_no": f"2024{order.number[-12:]}", "trade_status": "TRADE_SUCCESS", "total_amount": "0.01",
    }
    age(order)
    assert payments_reconcile() == {"mismatch": 1}
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING
    assert ledger_check() == []


def test_unreachable_provider_is_asked_again_later(real_providers):
    _, order = checkout("alipay")  # the gateway in real_providers is unreachable
    age(order)
    assert payments_reconcile() == {"unavailable": 1}
    attempt = Payment.objects.get(order=order)
    assert attempt.status == "pending" and attempt.check_provider and attempt.checks == 1 and attempt.last_error


@pytest.fixture
def wechat_api(real_providers) -> Any:
    with WechatPayStandIn(
        merchant_public_key=testkeys.public(testkeys.MERCHANT), mch_id=MCH_ID, merchant_serial=MERCHANT_SERIAL,
        platform_key=testkeys.key(testkeys.PLATFORM), platform_key_id=PLATFORM_KEY_ID,
    ) as api:
        real_providers.FANWEN_WECHATPAY_GATEWAY = api.url
        yield api


def test_wechatpay_query_reconciles_a_lost_notification(wechat_api):
    reader, order = checkout("wechatpay")
    assert Payment.objects.get(order=order).status == "pending"
    wechat_api.transactions[order.number] = transaction(
        out_trade_no=order.number, transaction_id=f"42000{order.number[-12:]}",
        amount={"total": 800, "payer_total": 800, "currency": "CNY", "payer_currency": "CNY"},
    )
    age(order)
    assert payments_reconcile() == {"paid": 1}
    one_sale(order, reader)


def test_wechatpay_query_closed_fails_the_attempt(wechat_api):
    _, order = checkout("wechatpay")
    wechat_api.transactions[order.number] = transaction(
        out_trade_no=order.number, trade_state="CLOSED", transaction_id="",
        amount={"total": 800, "currency": "CNY"},
    )
    age(order)
    assert payments_reconcile() == {"failed": 1}
    assert Payment.objects.get(order=order).status == "failed"


def test_closed_answer_for_an_attempt_cancelled_by_expiry_is_final():
    _, order = checkout()
    registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen, trade_status="TRADE_CLOSED")
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    orders_expire_stale()
    age(order)
    assert payments_reconcile() == {"closed": 1}
    assert Payment.objects.get(order=order).status == "cancelled"
    assert payments_reconcile() == {}


def test_migration_closes_orphan_created_rows():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("fanwen.commerce.migrations.0010_payment_attempts")
    _, paid = checkout()
    sandbox_notify(paid)
    _, open_order = checkout()
    # The rows as they were before attempts: a never-closed ``created`` row beside the paid one.
    orphan = Payment.objects.create(order=paid, method="alipay", amount_fen=paid.amount_fen)
    Payment.objects.filter(order=open_order).update(status="created", check_provider=False)

    migration.attempts_from_old_rows(apps, None)

    orphan.refresh_from_db()
    assert orphan.status == "cancelled" and orphan.closed_at
    still_open = Payment.objects.get(order=open_order)
    assert still_open.status == "pending" and still_open.check_provider
    assert Payment.objects.get(order=paid, method="sandbox").status == "confirmed"


def test_a_refused_restart_of_a_trade_the_buyer_already_paid_is_still_reconciled():
    """The buyer paid, the notification was lost, and pressing pay again made the provider refuse
    (WeChat's ORDERPAID): the attempt is closed as failed but still asked about once, so the
    payment is found and the sale made."""
    from fanwen.commerce.services.payments import _attempt_start_failed

    reader, order = checkout()
    registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)  # never delivered
    attempt = Payment.objects.get(order=order)
    _attempt_start_failed(order.pk, attempt.pk, "该订单已支付", definite=True)
    assert Payment.objects.get(pk=attempt.pk).status == "failed"
    age(order)
    assert payments_reconcile() == {"paid": 1}
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert Entitlement.objects.filter(user=reader, document_id=order.document_id).count() == 1
    assert ledger_check() == []
