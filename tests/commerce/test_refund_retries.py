"""Refunds the provider keeps refusing: bounded retries with backoff, then 需人工处理 for staff,
who retry or record an offline refund — each attempt audited, the ledger balanced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fanwen.commerce.models import AuditLog, Order, Refund
from fanwen.commerce.selectors import refunds_needing_staff
from fanwen.commerce.services import (
    CommerceError,
    ledger_check,
    order_create,
    order_refund,
    refund_mark_done_offline,
    refund_retry,
    refunds_retry_pending,
)
from fanwen.commerce.services.errors import NotRefundable
from fanwen.commerce.services.refunds import refund_retry_delay
from tests.commerce import testkeys
from tests.commerce.factories import make_document, make_user
from tests.commerce.providers_setup import ALIPAY_APP_ID, alipay_notification
from tests.commerce.standins import AlipayGatewayStandIn

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def stuck_refund(real_providers, client, settings) -> Refund:
    """A paid Alipay order whose refund the (unreachable) gateway keeps failing, 3 attempts allowed."""
    settings.FANWEN_REFUND_MAX_ATTEMPTS = 3
    order = order_create(user=make_user(), document_id=make_document(price_fen=500, author=make_user()).pk)
    assert client.post("/payments/alipay/notify", alipay_notification(order), content_type=FORM).content == b"success"
    refund = order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    assert refund.status == Refund.Status.PENDING and refund.attempts == 1
    return refund


def tick_until_quiet(refund: Refund, ticks: int = 10) -> None:
    for _ in range(ticks):
        Refund.objects.filter(pk=refund.pk).update(next_attempt_at=None)  # the backoff has passed
        refunds_retry_pending()


def test_backoff_grows_and_is_capped():
    assert [(refund_retry_delay(n).total_seconds() + 30) / 60 for n in (1, 2, 3, 4, 9, 20)] == [1, 2, 4, 8, 60, 60]


def test_a_retry_waits_for_its_backoff(stuck_refund):
    refunds_retry_pending()  # not yet: the first retry is the next minute tick's
    assert Refund.objects.get(pk=stuck_refund.pk).attempts == 1
    due = Refund.objects.get(pk=stuck_refund.pk).next_attempt_at
    assert timezone.now() < due <= timezone.now() + timedelta(seconds=30)
    Refund.objects.filter(pk=stuck_refund.pk).update(next_attempt_at=timezone.now())  # that tick has come
    refunds_retry_pending()
    refunds_retry_pending()  # the second retry waits two ticks
    refund = Refund.objects.get(pk=stuck_refund.pk)
    assert refund.attempts == 2 and refund.next_attempt_at > timezone.now() + timedelta(seconds=80)


def test_retries_stop_after_the_limit_and_the_refund_waits_for_staff(stuck_refund):
    tick_until_quiet(stuck_refund)

    refund = Refund.objects.get(pk=stuck_refund.pk)
    assert refund.status == Refund.Status.FAILED and refund.attempts == 3 and refund.last_error
    assert refund.get_status_display() == "需人工处理"
    attempts = AuditLog.objects.filter(action="commerce.refund.attempt").order_by("pk")
    assert [(a.data["refund_id"], a.data["attempt"]) for a in attempts] == [(refund.pk, n) for n in (1, 2, 3)]
    assert AuditLog.objects.filter(action="commerce.refund.failed").count() == 1
    assert refunds_needing_staff() == 1
    assert ledger_check() == []


def test_staff_retry_completes_through_the_provider(stuck_refund, real_providers):
    tick_until_quiet(stuck_refund)
    with AlipayGatewayStandIn(
        app_public_key=testkeys.public(testkeys.APP), app_id=ALIPAY_APP_ID, alipay_key=testkeys.key(testkeys.ALIPAY)
    ) as gateway:
        real_providers.FANWEN_ALIPAY_GATEWAY = gateway.gateway
        assert refund_retry(refund_id=stuck_refund.pk, actor=make_user(is_staff=True)) == Refund.Status.DONE
    refund = Refund.objects.get(pk=stuck_refund.pk)
    assert refund.status == Refund.Status.DONE and refund.attempts == 4
    assert Order.objects.get(pk=refund.order_id).status == Order.Status.REFUNDED
    assert AuditLog.objects.filter(action="commerce.refund.attempt", data__manual=True).count() == 1
    assert ledger_check() == []


def test_staff_retry_that_fails_again_stays_with_staff(stuck_refund):
    tick_until_quiet(stuck_refund)
    assert refund_retry(refund_id=stuck_refund.pk, actor=make_user(is_staff=True)) == Refund.Status.FAILED
    assert Refund.objects.get(pk=stuck_refund.pk).attempts == 4
    refunds_retry_pending()
    assert Refund.objects.get(pk=stuck_refund.pk).attempts == 4  # never retried automatically again


def test_staff_mark_done_offline_balances_the_ledger(stuck_refund):
    tick_until_quiet(stuck_refund)
    staff = make_user(is_staff=True)
    refund_mark_done_offline(refund_id=stuck_refund.pk, actor=staff, note="银行转账")
    refund_mark_done_offline(refund_id=stuck_refund.pk, actor=staff)  # twice records once
    refund = Refund.objects.get(pk=stuck_refund.pk)
    assert refund.status == Refund.Status.DONE and refund.provider_ref.startswith("offline:")
    assert Order.objects.get(pk=refund.order_id).status == Order.Status.REFUNDED
    assert AuditLog.objects.filter(action="commerce.refund.offline").count() == 1
    assert refunds_needing_staff() == 0
    assert ledger_check() == []


def test_staff_cannot_act_on_a_refund_still_being_retried(stuck_refund):
    staff = make_user(is_staff=True)
    with pytest.raises(CommerceError):
        refund_mark_done_offline(refund_id=stuck_refund.pk, actor=staff)
    with pytest.raises(CommerceError):
        refund_retry(refund_id=stuck_refund.pk, actor=staff)


def test_admin_actions_and_ops_tile(stuck_refund, client):
    tick_until_quiet(stuck_refund)
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/commerce/refund/?status__exact=failed")
    assert listing.status_code == 200 and stuck_refund.out_request_no in listing.content.decode()
    assert "退款需人工处理" in client.get("/ops/").content.decode()
    reply = client.post("/admin/commerce/refund/", {"action": "mark_done_offline", "_selected_action": [stuck_refund.pk]})
    assert reply.status_code == 302
    assert Refund.objects.get(pk=stuck_refund.pk).status == Refund.Status.DONE
    assert ledger_check() == []
    payments = client.get("/admin/commerce/payment/?status__exact=confirmed")
    assert payments.status_code == 200


def test_a_refund_being_retried_by_staff_cannot_be_marked_offline_meanwhile(stuck_refund):
    """Staff's retry moves the refund out of 需人工处理 before it asks the provider, so a second
    member of staff (or a double click) cannot also record an offline refund: that would pay twice."""
    from fanwen.commerce.services.refund_staff import _retry_allowed

    tick_until_quiet(stuck_refund)
    assert Refund.objects.get(pk=stuck_refund.pk).status == Refund.Status.FAILED
    staff = make_user(is_staff=True)
    _retry_allowed(refund_id=stuck_refund.pk, actor=staff)  # the provider is being asked now
    held = Refund.objects.get(pk=stuck_refund.pk)
    assert held.status == Refund.Status.PENDING and held.next_attempt_at > timezone.now()
    with pytest.raises(NotRefundable):
        refund_mark_done_offline(refund_id=stuck_refund.pk, actor=staff)
    assert refunds_retry_pending() == {"done": 0, "pending": 0, "failed": 0}  # the worker leaves it alone
