"""Staff refund from the admin; a provider that cannot be reached is a clear error, not a 500."""

from __future__ import annotations

import pytest

from fanwen.accounts.services import api_token_create
from fanwen.commerce.models import Order
from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def test_admin_refund_action(client):
    staff = make_user(is_staff=True, is_superuser=True)
    reader = make_user()
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order = order_create(user=reader, document_id=make_document(price_fen=300).pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    client.force_login(staff)
    assert client.get("/admin/commerce/order/").status_code == 200
    response = client.post(
        "/admin/commerce/order/", {"action": "refund", "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200 and "已退款" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    for url in ("/admin/commerce/account/", "/admin/commerce/ledgertransaction/", "/admin/commerce/auditlog/",
                "/admin/commerce/refund/", "/admin/commerce/providernotification/", f"/admin/commerce/order/{order.pk}/change/"):
        assert client.get(url).status_code == 200, url


def test_unreachable_wechatpay_is_a_clear_error(client, real_providers):
    reader = make_user()
    order = order_create(user=reader, document_id=make_document().pk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=reader)}"}
    response = client.post(
        f"/api/v1/orders/{order.pk}/pay", {"method": "wechatpay"}, content_type="application/json", **auth
    )
    assert response.status_code == 503
    assert "微信" in response.json()["detail"] or "稍后" in response.json()["detail"]
    client.force_login(reader)
    page = client.post("/buy/", {"document": order.document_id, "method": "wechatpay", "form_key": "z"}, follow=True)
    assert page.status_code == 200
    assert "稍后" in page.content.decode() or "不可用" in page.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING
