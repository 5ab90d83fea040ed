"""POST /api/v1/me/documents (multipart) and GET /api/v1/me/documents: tools upload as authors
do in the studio — a .docx gets through (issue #11 item 7), the document waits for review with
the chosen or suggested line, and the counts are those the reader's paywall card will show."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.core import paywall
from fanwen.core.reader import read_bytes
from fanwen.library.models import Category, Document
from fanwen.web.middleware import NUL_REASON
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

TEXT = "\n".join([
    "工作总结", "开头段落，介绍情况。" * 3, "一、主要工作", "正文一。" * 20, "二、存在问题", "正文二。" * 20,
    "三、下一步", "正文三。" * 20,
]).encode()


@pytest.fixture
def author_token(db) -> str:
    user = get_user_model().objects.create_user("api-author", password="api-author-pass-1")
    return api_token_create(user=user)


def post(token: str | None, **fields):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().post("/api/v1/me/documents", fields, **headers)


def test_a_docx_is_uploaded_through_the_api_and_waits_for_review(author_token):
    data = (FIXTURES / "ok_sample.docx").read_bytes()
    assert b"\x00" in data
    response = post(author_token, file=SimpleUploadedFile("a.docx", data), price_yuan="5")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and Document.objects.get(pk=body["id"]).source_name == "a.docx"
    parsed = read_bytes(data, name="a.docx")
    assert body["marked_paid_from"] == paywall.marked_paid_from(parsed.blocks)
    assert len(body["blocks"]) == len(parsed.blocks)


def test_the_suggested_line_and_the_counts_of_the_paywall_card(author_token):
    Category.objects.create(name="工作总结", slug="zongjie")
    response = post(author_token, file=SimpleUploadedFile("z.txt", TEXT), price_fen="800", category="zongjie",
                    tags="总结,工作", title="我的工作总结")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["paid_from"] == body["suggested_paid_from"] == 3 and body["marked_paid_from"] is None
    assert [b["paid"] for b in body["blocks"]] == [False] * 3 + [True] * 4
    document = Document.objects.get(pk=body["id"])
    assert (document.status, document.title, document.price_fen, document.tags) == ("pending", "我的工作总结", 800, "总结 工作")
    assert body["chars"] == {"free": document.chars_free, "paid": document.chars_paid, "total": document.chars_total}
    # Once published, the anonymous reader's card says exactly these counts.
    Document.objects.filter(pk=document.pk).update(status="published")
    card = Client().get(f"/d/{document.pk}/").content.decode()
    assert f"剩余 {body['chars']['paid']} 字 · {body['sections']['paid']} 个章节 · ¥8.00 解锁全文" in card


def test_a_chosen_line(author_token):
    response = post(author_token, file=SimpleUploadedFile("z.txt", TEXT), price_yuan="3.5", paid_from="5")
    body = response.json()
    assert body["paid_from"] == 5 and [b["paid"] for b in body["blocks"]] == [False] * 5 + [True] * 2
    assert body["price_fen"] == 350


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"paid_from": "0"}, 400, "分界线位置"),
    ({"paid_from": "99"}, 400, "分界线位置"),
    ({"price_yuan": "abc"}, 400, "price_yuan 格式"),
    ({"price_yuan": "5", "price_fen": "400"}, 400, "不一致"),
    ({"category": "nope"}, 400, "分类不存在"),
    ({}, 400, "需要填写价格"),
    ({"price_fen": "x"}, 422, "请求参数有误"),
])
def test_bad_input_gets_a_chinese_error(author_token, fields, status, message):
    response = post(author_token, file=SimpleUploadedFile("z.txt", TEXT), **fields)
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert not Document.objects.exists()


def test_format_errors_and_file_kinds(author_token):
    assert "只有标题" in post(author_token, file=SimpleUploadedFile("t.txt", b"title")).json()["detail"]
    assert "只支持" in post(author_token, file=SimpleUploadedFile("t.pdf", b"x")).json()["detail"]
    hostile = (FIXTURES / "hostile_not_a_zip.docx").read_bytes()
    assert post(author_token, file=SimpleUploadedFile("h.docx", hostile)).status_code == 400


def test_sign_in_required_and_a_nul_in_a_text_field_refused(author_token):
    assert post(None, file=SimpleUploadedFile("z.txt", TEXT), price_yuan="1").status_code == 401
    response = post(author_token, file=SimpleUploadedFile("z.txt", TEXT), title="a\x00b")
    assert response.status_code == 400 and response.json()["detail"] == NUL_REASON


def test_my_documents_lists_only_mine(author_token):
    post(author_token, file=SimpleUploadedFile("z.txt", TEXT), price_yuan="1")
    other = api_token_create(user=get_user_model().objects.create_user("other", password="other-pass-1"))
    mine = Client().get("/api/v1/me/documents", HTTP_AUTHORIZATION=f"Bearer {author_token}").json()
    assert [d["status"] for d in mine] == ["pending"] and "blocks" not in mine[0]
    assert Client().get("/api/v1/me/documents", HTTP_AUTHORIZATION=f"Bearer {other}").json() == []
    assert Client().get("/api/v1/me/documents").status_code == 401


def test_a_file_over_the_limit_is_413_and_a_missing_file_400(author_token, settings):
    settings.FANWEN_MAX_DOCUMENT_BYTES = 1000
    big = post(author_token, file=SimpleUploadedFile("big.txt", b"x\n" * 5000), price_yuan="1")
    assert big.status_code == 413 and "文件过大" in big.json()["detail"]
    missing = Client().post("/api/v1/me/documents", {"price_yuan": "1"}, HTTP_AUTHORIZATION=f"Bearer {author_token}")
    assert missing.status_code == 400 and "缺少文件" in missing.json()["detail"]
    assert not Document.objects.exists()
