"""Word downloads end to end: who gets a file (and who gets 401/403/404/429 instead), the
Delivery record (append-only), the watermark, the daily cap, 我的下载 and the page button."""

from __future__ import annotations

import io
from urllib.parse import quote

import docx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fanwen.access.delivery import deliver
from fanwen.access.errors import DownloadLimitReached, NotEntitled
from fanwen.access.models import AppendOnly, Delivery
from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import (
    entitlement_grant,
    order_create,
    order_pay_with_wallet,
    order_refund,
    wallet_credit,
)
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db
PAID = "付费正文里的金丝雀段落，只给买家。"


@pytest.fixture
def doc() -> Document:
    author = make_user("writer")
    text = f"年度工作总结\n免费的开头。\n一、总体情况\n##paidbegin##{PAID}\n（一）付费小标题\n付费的结尾。"
    result = document_import(parsed=parse_text(text), price_fen=500, author_id=author.pk)
    return Document.objects.get(pk=result.document_id)


def buy(user, doc):  # type: ignore[no-untyped-def]
    wallet_credit(user=user, amount_fen=doc.price_fen, reason="test")
    order = order_create(user=user, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=user)
    return order


def docx_text(body: bytes) -> str:
    word = docx.Document(io.BytesIO(body))
    parts = [p.text for p in word.paragraphs] + [p.text for p in word.sections[0].header.paragraphs]
    return strip_carriers("\n".join(parts))  # the visible text (paid blocks carry a fingerprint)


def api_download(doc: Document, token: str | None = None, fmt: str = "docx"):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(f"/api/v1/documents/{doc.pk}/download?format={fmt}", **headers)


def test_buyer_gets_the_whole_document_with_order_watermark_and_a_record(doc):
    buyer = make_user("buyer1")
    order = buy(buyer, doc)
    response = api_download(doc, api_token_create(user=buyer))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "private, no-store, max-age=0"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote('年度工作总结.docx')}" in disposition
    text = docx_text(response.content)
    assert "免费的开头。" in text and PAID in text and "付费的结尾。" in text
    assert f"范文库 · buyer1 · 订单 {order.number} · 仅供个人学习使用" in text
    delivery = Delivery.objects.get()
    assert (delivery.user_id, delivery.document_id, delivery.format) == (buyer.pk, doc.pk, "docx")
    assert delivery.document_version == doc.content_hash and delivery.order_id == order.pk
    assert delivery.basis == Delivery.Basis.PURCHASE and delivery.size_bytes == len(response.content)


@pytest.mark.parametrize(
    ("who", "right"),
    [("author", "作者"), ("staff", "管理员"), ("grantee", "赠送")],
)
def test_watermark_names_the_right_for_readers_without_an_order(doc, who, right):
    user = {"author": lambda: doc.author, "staff": lambda: make_user("op", is_staff=True)}.get(who, lambda: make_user("g"))()
    if who == "grantee":
        entitlement_grant(user_id=user.pk, document_id=doc.pk)
    delivered = deliver(user=user, document=doc, fmt="docx")
    assert f"范文库 · {user.username} · {right} · 仅供个人学习使用" in docx_text(delivered.content)


def test_api_statuses_for_those_who_get_no_file(doc):
    reader = make_user("reader")
    token = api_token_create(user=reader)
    assert api_download(doc).status_code == 401
    refused = api_download(doc, token)
    assert refused.status_code == 403 and "购买" in refused.json()["detail"]
    assert PAID not in refused.content.decode()
    missing = Client().get("/api/v1/documents/999999/download?format=docx", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert missing.status_code == 404
    Document.objects.filter(pk=doc.pk).update(status=Document.Status.PENDING)
    assert api_download(doc, token).status_code == 404
    assert api_download(doc, api_token_create(user=doc.author), fmt="odt").status_code == 400
    assert not Delivery.objects.exists()


def test_refunded_buyer_can_no_longer_download(doc):
    buyer = make_user("buyer2")
    order = buy(buyer, doc)
    token = api_token_create(user=buyer)
    assert api_download(doc, token).status_code == 200
    order_refund(order_id=order.pk, actor=None)
    assert api_download(doc, token).status_code == 403
    client = Client()
    client.force_login(buyer)
    page = client.get(f"/d/{doc.pk}/download/docx/")
    assert page.status_code == 302 and page["Location"] == f"/d/{doc.pk}/#paywall"
    with pytest.raises(NotEntitled):
        deliver(user=buyer, document=doc, fmt="docx")
    assert Delivery.objects.count() == 1


def test_daily_cap_refuses_with_a_chinese_message(doc, settings):
    settings.FANWEN_DOWNLOADS_PER_DAY = 2
    token = api_token_create(user=doc.author)
    assert [api_download(doc, token).status_code for _ in range(2)] == [200, 200]
    over = api_download(doc, token)
    assert over.status_code == 429 and "上限" in over.json()["detail"]
    with pytest.raises(DownloadLimitReached):
        deliver(user=doc.author, document=doc, fmt="docx")
    assert Delivery.objects.count() == 2
    client = Client()
    client.force_login(doc.author)
    page = client.get(f"/d/{doc.pk}/download/docx/")
    assert page.status_code == 429 and "上限" in page.content.decode()


def test_delivery_rows_are_append_only(doc):
    deliver(user=doc.author, document=doc, fmt="docx")
    row = Delivery.objects.get()
    row.format = "pdf"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        Delivery.objects.update(format="pdf")
    with pytest.raises(AppendOnly):
        Delivery.objects.all().delete()
    assert Delivery.objects.get().format == "docx"


def test_page_download_needs_login_and_the_button_shows_for_entitled_readers_only(doc):
    anonymous = Client()
    response = anonymous.get(f"/d/{doc.pk}/download/docx/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "下载 Word" not in anonymous.get(f"/d/{doc.pk}/").content.decode()
    reader = Client()
    reader.force_login(make_user("nonbuyer"))
    assert "下载 Word" not in reader.get(f"/d/{doc.pk}/").content.decode()
    buyer_user = make_user("buyer3")
    buy(buyer_user, doc)
    buyer = Client()
    buyer.force_login(buyer_user)
    assert f'href="/d/{doc.pk}/download/docx/"' in buyer.get(f"/d/{doc.pk}/").content.decode()
    file = buyer.get(f"/d/{doc.pk}/download/docx/")
    assert file.status_code == 200 and PAID in docx_text(file.content)
    assert {"private", "no-store"} <= {part.strip() for part in file["Cache-Control"].split(",")}
    listing = buyer.get("/me/downloads/").content.decode()
    assert "年度工作总结" in listing and "购买" in listing
    assert 'href="/me/downloads/"' in buyer.get("/me/").content.decode()


def test_my_downloads_query_count_does_not_grow_with_rows(doc, settings):
    settings.FANWEN_DOWNLOADS_PER_DAY = 100
    buyer_user = make_user("collector")
    buy(buyer_user, doc)
    client = Client()
    client.force_login(buyer_user)
    deliver(user=buyer_user, document=doc, fmt="docx")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/me/downloads/").status_code == 200
    for _ in range(49):
        deliver(user=buyer_user, document=doc, fmt="docx")
    with CaptureQueriesContext(connection) as fifty:
        page = client.get("/me/downloads/")
    assert page.content.decode().count(f'href="/d/{doc.pk}/"') >= 50
    assert len(fifty) == len(one), [q["sql"] for q in fifty.captured_queries]
    assert len(fifty) <= 8


def test_member_gets_the_file_marked_会员_and_loses_it_with_a_refunded_membership(doc):
    member = make_user("member1")
    wallet_credit(user=member, amount_fen=100_00, reason="test")
    membership = order_create(user=member, plan_code="month")
    order_pay_with_wallet(order_id=membership.pk, user=member)
    delivered = deliver(user=member, document=doc, fmt="docx")
    assert "范文库 · member1 · 会员 · 仅供个人学习使用" in docx_text(delivered.content)
    row = Delivery.objects.get()
    assert (row.basis, row.order_id) == (Delivery.Basis.MEMBERSHIP, membership.pk)
    order_refund(order_id=membership.pk, actor=None)
    with pytest.raises(NotEntitled):
        deliver(user=member, document=doc, fmt="docx")


def test_pdf_is_offered_only_when_its_renderer_exists(doc):
    import importlib.util

    from fanwen.access.renderers import formats_offered

    has_pdf = importlib.util.find_spec("fanwen.access.render_pdf") is not None
    assert ("pdf" in formats_offered()) is has_pdf
    client = Client()
    client.force_login(doc.author)
    assert ('下载 PDF' in client.get(f"/d/{doc.pk}/").content.decode()) is has_pdf
    if not has_pdf:
        refused = api_download(doc, api_token_create(user=doc.author), fmt="pdf")
        assert refused.status_code == 400 and "docx" in refused.json()["detail"]
        assert not Delivery.objects.exists()
