"""Text that cannot be stored (a lone UTF-16 surrogate, invalid UTF-8) is refused at the
door with a Chinese 400, for every JSON and form body, never a 500 (issue #9, item 5)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.accounts.services import api_token_create
from tests.commerce.factories import make_document

pytestmark = pytest.mark.django_db
LONE_HIGH = '"\\ud800"'
LONE_LOW = '"x\\uDFFFy"'


@pytest.fixture
def auth() -> dict[str, str]:
    user = get_user_model().objects.create_user("surrogate", password="surrogate-pass-1")
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def assert_refused(response) -> None:
    assert response.status_code == 400, response.content
    assert "无法保存的字符" in response.json()["detail"]


@pytest.mark.parametrize("bad", [LONE_HIGH, LONE_LOW])
def test_lone_surrogate_in_the_token_request_is_a_chinese_400(client, bad):
    for body in (f'{{"username": {bad}, "password": "x"}}', f'{{"username": "a", "password": {bad}}}'):
        assert_refused(client.post("/api/v1/auth/token", body, content_type="application/json"))


@pytest.mark.parametrize("bad", [LONE_HIGH, LONE_LOW])
def test_lone_surrogate_in_an_order_request_is_a_chinese_400(client, auth, bad):
    body = f'{{"document_id": null, "plan": {bad}}}'
    assert_refused(client.post("/api/v1/orders", body, content_type="application/json", **auth))


def test_lone_surrogate_anywhere_in_any_json_body_is_refused(client, auth):
    """Generic: nested, in a key, in a list, on an endpoint that would otherwise 404."""
    doc = make_document(price_fen=100)
    order = client.post("/api/v1/orders", {"document_id": doc.pk}, content_type="application/json", **auth).json()
    for url, body in (
        (f"/api/v1/orders/{order['id']}/pay", f'{{"method": {LONE_HIGH}}}'),
        (f"/api/v1/orders/{order['id']}/pay", '{"method": "wallet", "channel": ["\\udbff"]}'),
        ("/api/v1/orders", '{"\\ud800": 1}'),
        ("/api/v1/nope", f'{{"a": {{"b": [1, {LONE_LOW}]}}}}'),
    ):
        assert_refused(client.post(url, body, content_type="application/json", **auth))


def test_invalid_utf8_in_a_json_body_is_a_chinese_400(client):
    for raw in (b'{"username": "\xff", "password": "x"}', b'{"username": "\xed\xa0\x80", "password": "x"}'):
        assert_refused(client.post("/api/v1/auth/token", raw, content_type="application/json"))


def test_valid_surrogate_pairs_and_escaped_backslashes_pass(client):
    get_user_model().objects.create_user("表情😀", password="emoji-pass-123")
    ok = client.post(
        "/api/v1/auth/token", '{"username": "\\u8868\\u60c5\\ud83d\\ude00", "password": "emoji-pass-123"}',
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["token"]
    literal = client.post(
        "/api/v1/auth/token", '{"username": "\\\\ud800", "password": "x"}', content_type="application/json"
    )
    assert literal.status_code == 401


@pytest.mark.parametrize("field", ["%ED%A0%80", "%FF%FE", "abc%C3"])
def test_form_posts_with_invalid_utf8_are_a_400(client, field):
    response = client.post(
        "/accounts/login/", f"username={field}&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "无法保存的字符" in response.content.decode()
    ok = client.post("/accounts/login/", "username=%E4%BD%A0&password=x", content_type="application/x-www-form-urlencoded")
    assert ok.status_code == 200
