from __future__ import annotations

import pytest

from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import wallet_credit
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return make_user("apireader")


@pytest.fixture
def auth(reader) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=reader)}"}


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_order_create_is_idempotent_per_key(client, auth):
    doc = make_document(price_fen=250)
    first = post(client, "/api/v1/orders", {"document_id": doc.pk}, HTTP_IDEMPOTENCY_KEY="k1", **auth).json()
    again = post(client, "/api/v1/orders", {"document_id": doc.pk}, HTTP_IDEMPOTENCY_KEY="k1", **auth).json()
    assert first["id"] == again["id"] and first["number"] == again["number"]
    assert first["status"] == "pending" and first["amount_fen"] == 250
    other = post(client, "/api/v1/orders", {"document_id": doc.pk}, HTTP_IDEMPOTENCY_KEY="k2", **auth).json()
    assert other["id"] != first["id"]


def test_wallet_pay_402_then_200_then_409(client, auth, reader):
    doc = make_document(price_fen=500)
    order = post(client, "/api/v1/orders", {"document_id": doc.pk}, **auth).json()
    short = post(client, f"/api/v1/orders/{order['id']}/pay", {"method": "wallet"}, **auth)
    assert short.status_code == 402 and "余额不足" in short.json()["detail"]
    wallet_credit(user=reader, amount_fen=600, reason="x")
    paid = post(client, f"/api/v1/orders/{order['id']}/pay", {"method": "wallet"}, **auth)
    assert paid.status_code == 200 and paid.json()["order"]["status"] == "paid"
    assert post(client, f"/api/v1/orders/{order['id']}/pay", {"method": "wallet"}, **auth).status_code == 409
    me = client.get("/api/v1/me", **auth).json()
    assert me == {"username": "apireader", "wallet_fen": 100, "vip_until": None}
    detail = client.get(f"/api/v1/documents/{doc.pk}", **auth).json()
    assert detail["access"] is True


def test_provider_pay_returns_where_to_pay(client, auth):
    order = post(client, "/api/v1/orders", {"plan": "month"}, **auth).json()
    response = post(client, f"/api/v1/orders/{order['id']}/pay", {"method": "sandbox"}, **auth).json()
    assert response["redirect_url"].startswith("/payments/sandbox/checkout/")
    assert post(client, f"/api/v1/orders/{order['id']}/pay", {"method": "bitcoin"}, **auth).status_code == 400


def test_orders_are_readable_only_by_owner_and_staff(client, auth):
    order = post(client, "/api/v1/orders", {"plan": "month"}, **auth).json()
    assert client.get(f"/api/v1/orders/{order['id']}", **auth).status_code == 200
    stranger = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=make_user())}"}
    assert client.get(f"/api/v1/orders/{order['id']}", **stranger).status_code == 404
    assert post(client, f"/api/v1/orders/{order['id']}/pay", {"method": "wallet"}, **stranger).status_code == 404
    staff = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=make_user(is_staff=True))}"}
    assert client.get(f"/api/v1/orders/{order['id']}", **staff).status_code == 200
    assert client.get(f"/api/v1/orders/{order['id']}").status_code == 401


def test_session_writes_need_csrf(reader):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    response = strict.post("/api/v1/orders", {"plan": "month"}, content_type="application/json")
    assert response.status_code == 403


def test_bad_order_requests_are_clear_errors(client, auth):
    assert post(client, "/api/v1/orders", {}, **auth).status_code == 400
    assert post(client, "/api/v1/orders", {"document_id": 99999}, **auth).status_code == 404
    assert post(client, "/api/v1/orders", {"plan": "nope"}, **auth).status_code == 404
    assert post(client, "/api/v1/orders", {"document_id": "x"}, **auth).status_code == 422
    assert client.get("/api/v1/orders/99999999999999999999", **auth).status_code in (404, 422)
