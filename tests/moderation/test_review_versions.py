"""Pending new versions of published documents in the staff review queue (/ops/review/):
listed without their text, approved (the live text is swapped) or sent back with a reason."""

from __future__ import annotations

import pytest
from django.test import Client

from fanwen.library.models import Block, DocumentVersion
from fanwen.notices.models import Notice
from tests.library.test_versions import author, doc, staff, submit

pytestmark = pytest.mark.django_db
__all__ = ["author", "doc", "staff"]  # fixtures from the versions tests


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_lists_pending_versions_without_their_text(doc, staff):
    version = submit(doc)
    page = client_for(staff).get("/ops/review/").content.decode()
    assert f"/ops/review/versions/{version.pk}/decide/" in page and "待审核 1 个" in page
    assert "新版付费正文癸子丑" not in page and "新版开头庚辛壬" not in page


def test_staff_approve_a_version_from_the_queue(doc, staff):
    version = submit(doc)
    response = client_for(staff).post(f"/ops/review/versions/{version.pk}/decide/", {"action": "approve"})
    assert response.status_code == 302
    assert DocumentVersion.objects.get(pk=version.pk).status == DocumentVersion.Status.APPROVED
    assert Block.objects.filter(document=doc, text="新版付费正文癸子丑。").exists()


def test_sending_back_needs_a_reason_and_tells_the_author(doc, staff, author):
    version = submit(doc)
    staff_client = client_for(staff)
    staff_client.post(f"/ops/review/versions/{version.pk}/decide/", {"action": "reject", "reason_text": ""})
    assert DocumentVersion.objects.get(pk=version.pk).status == DocumentVersion.Status.PENDING
    staff_client.post(f"/ops/review/versions/{version.pk}/decide/", {"action": "reject", "reason_text": "付费部分过少"})
    assert DocumentVersion.objects.get(pk=version.pk).status == DocumentVersion.Status.REJECTED
    assert Notice.objects.filter(user=author, body__contains="付费部分过少").exists()
    assert Block.objects.filter(document=doc, text="旧版付费正文丁戊己。").exists()


def test_only_staff_may_decide(doc, author):
    version = submit(doc)
    for client in (Client(), client_for(author)):
        assert client.post(f"/ops/review/versions/{version.pk}/decide/", {"action": "approve"}).status_code == 404
    assert DocumentVersion.objects.get(pk=version.pk).status == DocumentVersion.Status.PENDING
