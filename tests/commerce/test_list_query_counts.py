"""Every list page a signed-in user has runs the same number of queries for 1 row as for 50."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanwen.access.models import Entitlement
from fanwen.commerce.models import Refund
from fanwen.commerce.services import (
    entitlement_grant,
    order_create,
    order_pay_with_wallet,
    order_refund,
    wallet_credit,
)
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db

ROWS = 50


def _queries(client: Any, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _compare(client: Any, url: str, add_row: Callable[[int], None], row_marker: str) -> None:
    """Measure with one row, then with ROWS; the count must not grow, and all rows must be shown."""
    add_row(0)
    client.get(url)  # warm per-process caches (content types, settings) outside the measurement
    one, html = _queries(client, url)
    assert html.count(row_marker) == 1, f"{url}: expected one row marked {row_marker!r}"
    for i in range(1, ROWS):
        add_row(i)
    many, html = _queries(client, url)
    assert html.count(row_marker) == ROWS, f"{url}: expected {ROWS} rows marked {row_marker!r}"
    assert many == one, f"{url}: {one} queries for 1 row, {many} for {ROWS}"


def test_my_orders_with_refunds_pending(client):
    reader = make_user()
    wallet_credit(user=reader, amount_fen=ROWS * 10_000, reason="x")
    client.force_login(reader)

    def paid_order_with_a_pending_refund(i: int) -> None:
        order = order_create(user=reader, plan_code="month")
        order_pay_with_wallet(order_id=order.pk, user=reader)
        if i % 2:  # half the rows are being refunded (退款中), half merely paid
            Refund.objects.create(order=order, payment=order.payments.get(), amount_fen=order.amount_fen,
                                  out_request_no=f"RF-{order.number}")

    _compare(client, "/me/orders/", paid_order_with_a_pending_refund, "/orders/FW")


def test_wallet_history(client):
    reader = make_user()
    client.force_login(reader)
    _compare(client, "/me/wallet/", lambda i: wallet_credit(user=reader, amount_fen=100 + i, reason=f"第{i}次"), "平台赠送")


def test_wallet_history_with_purchases_and_refunds(client):
    reader = make_user()
    staff = make_user(is_staff=True)
    wallet_credit(user=reader, amount_fen=ROWS * 1000, reason="x")
    client.force_login(reader)

    def bought_and_refunded(i: int) -> None:
        order = order_create(user=reader, document_id=make_document(price_fen=100).pk)
        order_pay_with_wallet(order_id=order.pk, user=reader)
        order_refund(order_id=order.pk, actor=staff)

    _compare(client, "/me/wallet/", bought_and_refunded, "退款 · ")


def test_author_earnings(client):
    author, reader = make_user(), make_user()
    wallet_credit(user=reader, amount_fen=ROWS * 1000, reason="x")
    client.force_login(author)

    def one_sale(i: int) -> None:
        order = order_create(user=reader, document_id=make_document(price_fen=100, author=author).pk)
        order_pay_with_wallet(order_id=order.pk, user=reader)

    _compare(client, "/me/earnings/", one_sale, '<td><a href="/d/')


def test_my_uploads(client):
    author = make_user()
    client.force_login(author)
    _compare(client, "/me/uploads/", lambda i: make_document(author=author), '<td><a href="/d/')


def test_my_library(client):
    reader = make_user()
    client.force_login(reader)

    def granted(i: int) -> None:
        entitlement_grant(user_id=reader.pk, document_id=make_document().pk, source=Entitlement.Source.GRANT)

    _compare(client, "/me/", granted, "已购 · 可读全文")
