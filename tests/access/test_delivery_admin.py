"""下载记录 in the admin: staff see every delivery, read-only, under Chinese labels."""

from __future__ import annotations

import pytest
from django.test import Client

from fanwen.access.delivery import deliver
from fanwen.core.format import parse_text
from fanwen.library.models import Document
from fanwen.library.services import document_import
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db


def test_staff_see_deliveries_read_only_in_chinese():
    author = make_user("admin-author")
    result = document_import(parsed=parse_text("后台可见的文档\n开头。\n##paidbegin##付费。"), price_fen=500, author_id=author.pk)
    delivery = deliver(user=author, document=Document.objects.get(pk=result.document_id), fmt="docx")
    staff = Client()
    staff.force_login(make_user("operator", is_staff=True, is_superuser=True))
    listing = staff.get("/admin/access/delivery/").content.decode()
    assert "下载记录" in listing and "后台可见的文档" in listing and "阅读依据" in listing
    assert staff.get("/admin/access/delivery/add/").status_code == 403
    detail = staff.get(f"/admin/access/delivery/{delivery.delivery_id}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert staff.post(f"/admin/access/delivery/{delivery.delivery_id}/delete/", {"post": "yes"}).status_code == 403
