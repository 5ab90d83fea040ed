"""Uploading Word files: wrapped markers keep the paid part paid or refuse the file, and a price
given for a document without a paid part is reported, not silently dropped."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from fanwen.library.models import Block, Document
from tests.conftest import FIXTURES
from tests.fixtures.word_fixtures import HIDDEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client):
    user = get_user_model().objects.create_user("word-writer", password="writer-pass-1")
    client.force_login(user)
    return user


def upload(client, name: str, content: bytes, price: str = "3"):
    return client.post("/me/upload/", {"file": SimpleUploadedFile(name, content), "price": price}, follow=True)


def test_upload_of_a_text_box_marker_stores_the_box_as_paid(client, author):
    response = upload(client, "box.docx", (FIXTURES / "ok_word_textbox.docx").read_bytes())
    assert response.status_code == 200
    document = Document.objects.get()
    assert document.price_fen == 300
    assert set(Block.objects.filter(document=document, paid=True).values_list("text", flat=True)) >= {
        "文本框付费",
        "文本框第二段",
    }


def test_upload_of_a_deleted_marker_is_refused_with_the_reason(client, author):
    response = upload(client, "del.docx", (FIXTURES / "err_word_deleted_marker.docx").read_bytes())
    assert response.status_code == 400
    assert HIDDEN in response.content.decode()
    assert Document.objects.count() == 0


def test_upload_with_a_price_but_no_paid_part_says_so(client, author):
    response = upload(client, "free.txt", "全免费的标题\n没有标记的正文。\n".encode())
    assert response.status_code == 200
    body = response.content.decode()
    assert "##paidbegin##" in body and "免费" in body
    assert Document.objects.get().price_fen == 0


def test_upload_without_a_price_and_no_paid_part_has_no_warning(client, author):
    response = upload(client, "free.txt", "全免费的标题\n没有标记的正文。\n".encode(), price="")
    assert "##paidbegin##" not in response.content.decode()
