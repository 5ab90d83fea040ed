"""Authors upload; bad files get a clear reason; huge ones are stopped early; operators publish."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from fanwen.core.fingerprint import strip_carriers
from fanwen.library.models import Category, Document
from fanwen.library.services import document_set_status
from fanwen.search.indexer import index_sync
from fanwen.search.selectors import search_documents

pytestmark = pytest.mark.django_db
GOOD = "作者上传的心得体会\n免费的开头，讲乡村振兴。\n##paidbegin##付费的正文，只给买家。".encode()


@pytest.fixture
def author(client):
    Category.objects.create(name="心得体会", slug="xinde")
    user = get_user_model().objects.create_user("writer", password="writer-pass-1")
    client.force_login(user)
    return user


def post(client, content: bytes, name: str = "a.txt", **fields):
    data = {"file": SimpleUploadedFile(name, content), "price": "3", "category": "xinde", "tags": "乡村振兴, 心得"}
    data.update(fields)
    return client.post("/me/upload/", data)


def test_upload_waits_for_review_then_publishes(client, author):
    response = post(client, GOOD)
    assert response.status_code == 302 and response["Location"] == "/me/uploads/"
    doc = Document.objects.get()
    assert doc.status == Document.Status.PENDING and doc.author_id == author.pk and doc.price_fen == 300
    assert doc.tag_list == ["乡村振兴", "心得"]
    assert "待审核" in client.get("/me/uploads/").content.decode()
    assert "付费的正文" in strip_carriers(client.get(f"/d/{doc.pk}/").content.decode())  # the author previews it all
    client.logout()
    assert client.get(f"/d/{doc.pk}/").status_code == 404
    index_sync()
    assert search_documents("乡村振兴").total == 0
    document_set_status(document_id=doc.pk, status=Document.Status.PUBLISHED)
    index_sync()
    assert client.get(f"/d/{doc.pk}/").status_code == 200
    assert [h.id for h in search_documents("乡村振兴").results] == [doc.pk]


@pytest.mark.parametrize(
    ("content", "name", "fields", "reason"),
    [
        (b"\x80\x81\xff\x00" * 50, "bad.txt", {}, "cannot decode"),
        ("标题\n##paidbegin##甲\n##paidbegin##乙".encode(), "nested.txt", {}, "nested begin"),
        ("标题\n##paidend##".encode(), "stray.txt", {}, "stray end"),
        (b"", "empty.txt", {}, "空文件"),
        (GOOD, "a.pdf", {}, "只支持"),
        (GOOD, "a.txt", {"price": "abc"}, "价格格式"),
        (GOOD, "a.txt", {"price": ""}, "需要填写价格"),
        (b"not a zip", "x.docx", {}, "cannot decode"),
    ],
)
def test_bad_uploads_get_a_clear_reason_and_store_nothing(client, author, content, name, fields, reason):
    response = post(client, content, name, **fields)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Document.objects.count() == 0


def test_zip_bomb_docx_is_refused(client, author):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b"A" * (60 * 1024 * 1024) + b"</w:document>")
    response = post(client, buffer.getvalue(), "bomb.docx")
    assert response.status_code == 400 and "refused" in response.content.decode()
    assert Document.objects.count() == 0


def test_huge_upload_is_stopped_with_a_clear_error(client, author, settings):
    settings.FANWEN_MAX_DOCUMENT_BYTES = 200_000
    response = post(client, b"x" * 1_000_000)
    assert response.status_code == 413
    assert "文件过大" in response.content.decode()
    assert Document.objects.count() == 0


def test_upload_needs_login_and_csrf(client):
    client.logout()
    assert client.get("/me/upload/").status_code == 302
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(get_user_model().objects.create_user("w2", password="w2-pass-123"))
    assert strict.post("/me/upload/", {"file": SimpleUploadedFile("a.txt", GOOD), "price": "3"}).status_code == 403


def test_uploads_cannot_confirm_a_guess_of_someone_elses_paid_part(client, author):
    from fanwen.core.format import parse_text
    from fanwen.library.services import document_import

    document_import(parsed=parse_text(GOOD.decode()), price_fen=300)  # someone else's document
    response = post(client, GOOD)  # the exact same content, guessed
    assert response.status_code == 302
    assert "审核通过后即可公开" in client.get("/me/uploads/").content.decode()
    assert Document.objects.filter(author=author).count() == 1  # stored for review, like any new upload


def test_authors_cannot_create_public_categories(client, author):
    response = post(client, GOOD, category="免费领取加微信")
    assert response.status_code == 400
    assert "免费领取加微信" not in client.get("/").content.decode()
