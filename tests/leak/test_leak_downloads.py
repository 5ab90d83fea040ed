"""Downloads in the leak crawl (issue #10): every identity that may not read the paid part —
anonymous, signed-in non-buyer, token non-buyer, refunded buyer, revoked grantee — gets no
file and no paid text from any download URL; an entitled reader's file carries every canary
(read back with python-docx)."""

from __future__ import annotations

import io
import json
from typing import Any

import docx
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fanwen.access.models import Delivery
from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import (
    entitlement_grant,
    entitlement_revoke,
    order_create,
    order_pay_with_wallet,
    order_refund,
    wallet_credit,
)
from fanwen.core.fingerprint import strip_carriers
from tests.leak.conftest import Planted
from tests.leak.crawler import crawl, readable
from tests.leak.test_leak import assert_crawl_covered, assert_no_canary, extra_urls

pytestmark = pytest.mark.django_db
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def signed_in(identity: str, planted: Planted) -> tuple[Client, dict[str, str]]:
    """A client (and headers) for one identity that must get no paid text."""
    client = Client()
    if identity == "anonymous":
        return client, {}
    user = get_user_model().objects.create_user(identity, password=f"{identity}-pass-1")
    if identity == "refunded":
        wallet_credit(user=user, amount_fen=500, reason="test")
        order = order_create(user=user, document_id=planted.document_id)
        order_pay_with_wallet(order_id=order.pk, user=user)
        order_refund(order_id=order.pk, actor=None)
    elif identity == "revoked":
        entitlement_grant(user_id=user.pk, document_id=planted.document_id)
        entitlement_revoke(user_id=user.pk, document_id=planted.document_id)
    if identity == "token":
        return client, {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
    client.force_login(user)
    return client, {}


@pytest.mark.parametrize("identity", ["anonymous", "reader", "token", "refunded", "revoked"])
def test_no_download_url_gives_a_file_of_the_paid_document(planted, identity):
    client, headers = signed_in(identity, planted)
    result = crawl(client, extra=extra_urls(client, planted), headers=headers)
    assert_crawl_covered(result, planted)
    assert_no_canary(result, planted)
    doc = planted.document_id
    api = f"/api/v1/documents/{doc}/download?format=docx"
    page = f"/d/{doc}/download/docx/"
    assert result.statuses[api] == (401 if identity == "anonymous" else 403), result.bodies[api]
    assert result.statuses[page] == 302  # to the login (anonymous, token) or the paywall
    assert WORD not in result.headers[api] and WORD not in result.headers[page]
    placeholders, fill_page = f"/api/v1/documents/{doc}/placeholders", f"/d/{doc}/fill/"
    assert result.statuses[placeholders] == (401 if identity == "anonymous" else 403), result.bodies[placeholders]
    assert result.statuses[fill_page] == 302  # to the login (anonymous, token) or the paywall
    for response in fill_posts(client, doc, headers):
        assert response.status_code in (302, 401, 403), response.status_code
        body = readable(response.content)
        assert not any(canary in body for canary in planted.canaries.values())
        assert WORD not in response.get("Content-Type", "") and "application/pdf" not in response.get("Content-Type", "")
    assert not Delivery.objects.filter(document_id=doc).exists()


def fill_posts(client: Client, doc: int, headers: dict[str, str]) -> list[Any]:
    """The fill-in POSTs (API and page), in every format, with a key of every kind."""
    values = {"XX": "清华大学", "X大学": "清华大学"}
    responses = []
    for fmt in ("docx", "pdf"):
        body = json.dumps({"values": values, "format": fmt}, ensure_ascii=False)
        responses.append(client.post(f"/api/v1/documents/{doc}/fill", body, content_type="application/json", **headers))
        responses.append(client.post(f"/d/{doc}/fill/", {"ph0": "清华大学", "action": fmt}, **headers))
    responses.append(client.post(f"/d/{doc}/fill/", {"ph0": "清华大学", "action": "preview"}, **headers))
    return responses


def test_free_document_download_is_crawled_and_has_no_paid_text(planted):
    client, _ = signed_in("reader", planted)
    result = crawl(client, extra=extra_urls(client, planted))
    assert result.statuses[f"/api/v1/documents/{planted.free_id}/download?format=docx"] == 200
    assert "没有付费部分的正文。" in result.texts()[f"/d/{planted.free_id}/download/docx/"]
    assert_no_canary(result, planted)


@pytest.mark.parametrize("who", ["buyer", "member_of_staff", "author"])
def test_entitled_reader_gets_the_file_with_every_canary(planted, who):
    User = get_user_model()
    if who == "author":
        user = User.objects.get(username="author")
    else:
        user = User.objects.create_user(who, password=f"{who}-pass-1", is_staff=who == "member_of_staff")
    if who == "buyer":
        wallet_credit(user=user, amount_fen=500, reason="test")
        order = order_create(user=user, document_id=planted.document_id)
        order_pay_with_wallet(order_id=order.pk, user=user)
    client = Client()
    client.force_login(user)
    token = api_token_create(user=user)
    for response in (
        client.get(f"/d/{planted.document_id}/download/docx/"),
        Client().get(f"/api/v1/documents/{planted.document_id}/download?format=docx", HTTP_AUTHORIZATION=f"Bearer {token}"),
    ):
        assert response.status_code == 200 and response["Content-Type"] == WORD
        word = docx.Document(io.BytesIO(response.content))
        text = strip_carriers("\n".join(p.text for p in word.paragraphs))  # minus the fingerprint
        for name, canary in planted.canaries.items():
            assert canary in text, f"{name} missing from the Word file for {who}"
        assert "paidbegin" not in text.lower() and planted.free_marker in text
