"""作者主页 /u/<username>/: published documents only, total reads, copies sold (refunds
excluded), linked from every document page; 404 for names without published documents."""

from __future__ import annotations

import pytest
from django.test import Client

from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db


def make_doc(author, n: int, status: str = Document.Status.PUBLISHED, views: int = 0) -> Document:  # type: ignore[no-untyped-def]
    text = f"作者主页测试文档{n}\n公开的开头第{n}段。\n##paidbegin##付费的正文第{n}段，只有买家能读。"
    doc = Document.objects.get(pk=document_import(parsed=parse_text(text), price_fen=300, author_id=author.pk).document_id)
    Document.objects.filter(pk=doc.pk).update(status=status, views=views)
    return Document.objects.get(pk=doc.pk)


def sell(doc: Document, buyer_name: str) -> None:
    buyer = make_user(buyer_name)
    wallet_credit(user=buyer, amount_fen=doc.price_fen, reason="test")
    order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)


def test_author_page_lists_published_documents_with_reads_and_sales():
    author = make_user("wangwu")
    published = [make_doc(author, i, views=10 * (i + 1)) for i in range(3)]
    hidden = [make_doc(author, 10 + i, status=s, views=1000) for i, s in enumerate(
        (Document.Status.PENDING, Document.Status.UNPUBLISHED, Document.Status.TAKEN_DOWN))]
    sell(published[0], "b1")
    sell(published[1], "b2")
    body = Client().get("/u/wangwu/").content.decode()
    for doc in published:
        assert doc.title in body
    for doc in hidden:
        assert doc.title not in body
    assert "<strong>3</strong><span>篇文档</span>" in body
    assert "<strong>60</strong><span>次阅读</span>" in body
    assert "<strong>2</strong><span>份售出</span>" in body
    assert "只有买家能读" not in body


def test_refunded_sales_do_not_count():
    from fanwen.commerce.models import Order
    from fanwen.commerce.services import order_refund

    author = make_user("zhaoliu")
    doc = make_doc(author, 1)
    sell(doc, "b1")
    sell(doc, "b2")
    staff = make_user("ops", is_staff=True)
    order_refund(order_id=Order.objects.filter(document=doc).first().pk, actor=staff)
    assert "<strong>1</strong><span>份售出</span>" in Client().get("/u/zhaoliu/").content.decode()


def test_document_page_links_its_author():
    author = make_user("lisi")
    doc = make_doc(author, 1)
    assert 'href="/u/lisi/"' in Client().get(f"/d/{doc.pk}/").content.decode()


@pytest.mark.parametrize("name", ["nobody", "reader-only", "%E5%BC%A0"])
def test_unknown_names_and_people_without_published_documents_are_404(name):
    make_user("reader-only")
    pending_author = make_user("pending-only")
    make_doc(pending_author, 1, status=Document.Status.PENDING)
    for n in (name, "pending-only"):
        response = Client().get(f"/u/{n}/")
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode()
