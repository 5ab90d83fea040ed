"""Staff review versions in the admin: 通过 swaps the text, 退回 asks for a reason first."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.core.format import parse_text
from fanwen.library import versions
from fanwen.library.models import Block, DocumentVersion
from fanwen.library.services import document_import

pytestmark = pytest.mark.django_db
TEXT = "审核文档\n旧开头。\n一、部分\n##paidbegin##旧付费。"


@pytest.fixture
def pending(db) -> DocumentVersion:
    author = get_user_model().objects.create_user("zuozhe", password="zuozhe-pass-1")
    doc = document_import(parsed=parse_text(TEXT), price_fen=500, author_id=author.pk).document_id
    return versions.version_submit(document_id=doc, author_id=author.pk, parsed=parse_text(TEXT.replace("旧", "新")))


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("admin", password="admin-pass-1"))
    return client


URL = "/admin/library/documentversion/"


def test_the_list_and_the_review_page(admin_client, pending):
    assert "待审核" in admin_client.get(f"{URL}?status__exact=pending").content.decode()
    page = admin_client.get(f"{URL}{pending.pk}/change/").content.decode()
    assert "【付费】新付费。" in page and "新开头。" in page


def test_approve_action(admin_client, pending):
    admin_client.post(URL, {"action": "approve", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.number == 2
    assert Block.objects.filter(document=pending.document, text="新开头。").exists()


def test_reject_action_asks_for_a_reason(admin_client, pending):
    form = admin_client.post(URL, {"action": "reject", "_selected_action": [pending.pk]})
    assert form.status_code == 200 and "未通过原因" in form.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"
    admin_client.post(URL, {"action": "reject", "_selected_action": [pending.pk], "apply": "1", "reason": "格式不对"})
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == ("rejected", "格式不对")
    assert Block.objects.filter(document=pending.document, text="旧开头。").exists()
