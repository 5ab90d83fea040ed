"""Unpublish and takedown (issue #9 item 8): buyers keep what they paid for after an
unpublish; a takedown for infringement refunds every buyer in full and says why."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce import selectors as commerce_selectors
from fanwen.commerce.models import Order, Refund
from fanwen.commerce.providers import registry
from fanwen.commerce.services import (
    CommerceError,
    entitlement_grant,
    ledger_check,
    notification_handle,
    order_create,
    order_pay_with_wallet,
    wallet_credit,
)
from fanwen.core.fingerprint import strip_carriers
from fanwen.library.models import Document
from fanwen.search.indexer import index_sync
from fanwen.search.selectors import search_documents
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db

REASON = "权利人投诉：整篇抄袭自某出版物"


def buy_with_wallet(reader, doc) -> Order:  # type: ignore[no-untyped-def]
    wallet_credit(user=reader, amount_fen=doc.price_fen, reason="test")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    return order


def buy_with_sandbox(reader, doc) -> Order:  # type: ignore[no-untyped-def]
    order = order_create(user=reader, document_id=doc.pk)
    body, headers = registry.sandbox_sign_notification(out_trade_no=order.number, amount_fen=order.amount_fen)
    assert notification_handle(provider_name="sandbox", body=body, headers=headers).body == b"success"
    return order


def paid_text(doc: Document) -> str:
    return doc.blocks.get(paid=True).text


def found(doc: Document, user=None) -> bool:  # type: ignore[no-untyped-def]
    index_sync()
    result = search_documents(doc.title, user=user)
    return any(hit.id == doc.pk for hit in result.results)


def test_after_unpublish_a_buyer_still_reads_the_whole_document(client):
    author = make_user()
    doc = make_document(price_fen=500, author=author, title="下架后买家仍可阅读的文档")
    buyer, grantee = make_user(), make_user()
    order = buy_with_wallet(buyer, doc)
    entitlement_grant(user_id=grantee.pk, document_id=doc.pk)
    anonymous = Client()
    assert anonymous.get(f"/d/{doc.pk}/").status_code == 200  # warms the anonymous page cache
    assert found(doc)

    call_command("unpublish", str(doc.pk))

    for reader in (buyer, grantee):
        client.force_login(reader)
        page = client.get(f"/d/{doc.pk}/")
        assert page.status_code == 200
        assert paid_text(doc) in strip_carriers(page.content.decode())
        assert f"/d/{doc.pk}/" in client.get("/me/").content.decode()  # 我的文库
    client.force_login(buyer)
    order_page = client.get(f"/orders/{order.number}/").content.decode()
    assert f"/d/{doc.pk}/" in order_page and "已支付" in order_page
    assert anonymous.get(f"/d/{doc.pk}/").status_code == 404
    assert not found(doc)
    assert doc.title not in anonymous.get("/").content.decode()


def test_after_unpublish_the_api_serves_buyers_only():
    doc = make_document(price_fen=500)
    buyer = make_user()
    buy_with_wallet(buyer, doc)
    call_command("unpublish", str(doc.pk))
    api = Client()
    token = api_token_create(user=buyer)
    body = api.get(f"/api/v1/documents/{doc.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["access"] is True and paid_text(doc) in strip_carriers(json.dumps(body, ensure_ascii=False))
    assert api.get(f"/api/v1/documents/{doc.pk}").status_code == 404
    other = api_token_create(user=make_user())
    assert api.get(f"/api/v1/documents/{doc.pk}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


def test_after_unpublish_a_member_who_never_bought_it_loses_it(client):
    doc = make_document(price_fen=500)
    member = make_user()
    wallet_credit(user=member, amount_fen=10000, reason="test")
    order_pay_with_wallet(order_id=order_create(user=member, plan_code="month").pk, user=member)
    client.force_login(member)
    assert paid_text(doc) in strip_carriers(client.get(f"/d/{doc.pk}/").content.decode())
    call_command("unpublish", str(doc.pk))
    assert client.get(f"/d/{doc.pk}/").status_code == 404


def test_unpublished_document_is_not_for_sale_with_a_chinese_reason(client):
    doc = make_document(price_fen=500)
    call_command("unpublish", str(doc.pk))
    with pytest.raises(CommerceError) as caught:
        order_create(user=make_user(), document_id=doc.pk)
    assert "下架" in caught.value.message
    assert not Order.objects.exists()


def test_author_and_staff_see_the_document_marked():
    author = make_user()
    doc = make_document(price_fen=500, author=author)
    call_command("unpublish", str(doc.pk))
    for user in (author, make_user(is_staff=True)):
        client = Client()
        client.force_login(user)
        page = strip_carriers(client.get(f"/d/{doc.pk}/").content.decode())
        assert "已下架" in page and paid_text(doc) in page
    call_command("takedown", str(doc.pk), "--reason", REASON)
    for user in (author, make_user(is_staff=True)):
        client = Client()
        client.force_login(user)
        page = client.get(f"/d/{doc.pk}/").content.decode()
        assert "已下架（侵权）" in page and REASON in page


def test_takedown_refunds_every_buyer_once_and_takes_access_away(client):
    author = make_user()
    doc = make_document(price_fen=800, author=author, title="侵权下架的文档")
    wallet_buyers = [make_user(), make_user()]
    wallet_orders = [buy_with_wallet(b, doc) for b in wallet_buyers]
    sandbox_buyer = make_user()
    sandbox_order = buy_with_sandbox(sandbox_buyer, doc)
    grantee = make_user()
    entitlement_grant(user_id=grantee.pk, document_id=doc.pk)

    call_command("takedown", str(doc.pk), "--reason", REASON)
    call_command("takedown", str(doc.pk), "--reason", REASON)  # twice refunds once

    for buyer in wallet_buyers:
        assert commerce_selectors.wallet_balance_fen(user_id=buyer.pk) == 800
    for order in [*wallet_orders, sandbox_order]:
        assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
        assert Refund.objects.filter(order=order).count() == 1
    assert ledger_check() == []
    call_command("ledger", "check")
    for reader in [*wallet_buyers, sandbox_buyer, grantee]:
        client.force_login(reader)
        assert client.get(f"/d/{doc.pk}/").status_code == 404
        assert f"/d/{doc.pk}/" not in client.get("/me/").content.decode()
    client.force_login(wallet_buyers[0])
    notice = f"该文档因侵权投诉已下架，已全额退款：{REASON}"
    assert notice in client.get(f"/orders/{wallet_orders[0].number}/").content.decode()
    assert notice in client.get("/me/orders/").content.decode()
    assert Client().get(f"/d/{doc.pk}/").status_code == 404
    assert not found(doc)
    doc.refresh_from_db()
    assert doc.status == Document.Status.TAKEN_DOWN and doc.takedown_reason == REASON
    from fanwen.audit.models import AuditEvent

    actions = list(AuditEvent.objects.filter(subject_id=str(doc.pk)).values_list("action", flat=True))
    assert actions.count("library.document.taken_down") == 1


def test_takedown_needs_a_reason():
    doc = make_document(price_fen=500)
    with pytest.raises(Exception, match="原因"):
        call_command("takedown", str(doc.pk), "--reason", "  ")
    doc.refresh_from_db()
    assert doc.status == Document.Status.PUBLISHED


def test_unknown_document_is_a_clear_error():
    with pytest.raises(Exception, match="不存在"):
        call_command("unpublish", "999999")


def test_a_page_rendered_while_the_document_is_unpublished_is_not_served_from_the_cache(monkeypatch):
    """The race: an anonymous render reads the document while published, the operator
    unpublishes (clearing the cache), then the render stores its page."""
    from fanwen.library import services, views

    doc = make_document(price_fen=500)
    real_related = views.related_documents

    def unpublish_meanwhile(**kwargs):  # type: ignore[no-untyped-def]
        services.document_set_status(document_id=doc.pk, status=Document.Status.UNPUBLISHED)
        return real_related(**kwargs)

    monkeypatch.setattr(views, "related_documents", unpublish_meanwhile)
    anonymous = Client()
    anonymous.get(f"/d/{doc.pk}/")
    monkeypatch.setattr(views, "related_documents", real_related)
    assert anonymous.get(f"/d/{doc.pk}/").status_code == 404
