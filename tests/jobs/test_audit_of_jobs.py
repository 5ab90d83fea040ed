"""What `make test-jobs` counts: one `commerce.order.expired` audit row per expired order and
one `commerce.refund.attempt` row per refund attempt (fanwen/commerce/services)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from fanwen.commerce.models import AuditLog, Order, Refund
from fanwen.commerce.services import order_create, order_refund, orders_expire_stale, refunds_retry_pending
from tests.commerce.factories import make_document, make_user


def due_orders(n: int) -> list[int]:
    ids = [order_create(user=make_user(), document_id=make_document().pk).pk for _ in range(n)]
    Order.objects.filter(pk__in=ids).update(expires_at=timezone.now() - timedelta(seconds=1))
    return ids


def expiry_rows(order_id: int) -> int:
    return AuditLog.objects.filter(action="commerce.order.expired", data__order_id=order_id, order_id=order_id).count()


@pytest.mark.django_db
def test_each_expired_order_gets_one_audit_row_once():
    ids = due_orders(3)
    assert orders_expire_stale() == 3
    assert orders_expire_stale() == 0
    assert [expiry_rows(pk) for pk in ids] == [1, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_racing_expiries_write_one_audit_row_per_order():
    ids = due_orders(6)
    barrier = threading.Barrier(3)

    def expire(_: int) -> int:
        try:
            barrier.wait(timeout=30)
            return orders_expire_stale()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert sum(pool.map(expire, range(3))) == 6
    assert [expiry_rows(pk) for pk in ids] == [1] * 6


@pytest.mark.django_db
def test_each_refund_attempt_is_audited(settings):
    from fanwen.commerce.providers import registry
    from fanwen.commerce.services import notification_handle

    order = order_create(user=make_user(), document_id=make_document().pk)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    settings.FANWEN_SANDBOX_ENABLED = False  # the provider cannot be reached
    refund = order_refund(order_id=order.pk, actor=make_user(is_staff=True))
    Refund.objects.filter(pk=refund.pk).update(next_attempt_at=None)  # due now (retries back off)
    refunds_retry_pending()
    attempts = AuditLog.objects.filter(action="commerce.refund.attempt", data__refund_id=refund.pk)
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.PENDING and attempts.count() == 2
    assert set(attempts.values_list("data__ok", flat=True)) == {False}
    settings.FANWEN_SANDBOX_ENABLED = True
    Refund.objects.filter(pk=refund.pk).update(next_attempt_at=None)
    refunds_retry_pending()
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.DONE
    assert list(attempts.order_by("id").values_list("data__attempt", "data__ok")) == [(1, False), (2, False), (3, True)]
