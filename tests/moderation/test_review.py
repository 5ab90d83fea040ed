"""The review queue: staff only, compare page, approve/reject one or in bulk, audit + notices, 已驳回 gate."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.audit.models import AuditEvent
from fanwen.library.models import Document
from fanwen.moderation.services import dupes_check_pending
from fanwen.notices.models import Notice
from tests.core.neardup_cases import example

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_copy(original, copier, copy_bytes) -> Document:
    client = Client()
    client.force_login(copier)
    client.post("/me/upload/", {"file": SimpleUploadedFile("copy.txt", copy_bytes), "price": "3"})
    dupes_check_pending()  # the worker's next second
    return Document.objects.get(author=copier)


def test_queue_detail_and_compare_for_staff(staff_client, original, pending_copy):
    queue = staff_client.get("/ops/review/").content.decode()
    assert f"/ops/review/{pending_copy.pk}/" in queue and "疑似重复" in queue
    detail = staff_client.get(f"/ops/review/{pending_copy.pk}/").content.decode()
    assert f"/ops/review/{pending_copy.pk}/compare/{original.pk}/" in detail
    assert "付费墙" in detail and "已发布 0" in detail and "¥3.00" in detail
    compare = staff_client.get(f"/ops/review/{pending_copy.pk}/compare/{original.pk}/")
    html = compare.content.decode()
    assert compare.status_code == 200 and "相似度" in html and "第 1 处" in html
    assert staff_client.get(f"/ops/review/{pending_copy.pk}/compare/{pending_copy.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "copier", "owner"])
def test_non_staff_get_nothing(who, original, pending_copy, copier):
    client = Client()
    if who != "anonymous":
        client.force_login(copier if who == "copier" else original.author)
    for url in ("/ops/review/", f"/ops/review/{pending_copy.pk}/",
                f"/ops/review/{pending_copy.pk}/compare/{original.pk}/"):
        assert client.get(url).status_code == 404, url
    response = client.post("/ops/review/decide/", {"document": pending_copy.pk, "action": "approve"})
    assert response.status_code in (403, 404)
    pending_copy.refresh_from_db()
    assert pending_copy.status == Document.Status.PENDING


def test_reject_with_a_template_reason_tells_the_author_and_audits(staff_client, staff, pending_copy, copier):
    response = staff_client.post("/ops/review/decide/", {"document": pending_copy.pk, "action": "reject",
                                                         "reason": "内容重复"})
    assert response.status_code == 302
    pending_copy.refresh_from_db()
    assert pending_copy.status == Document.Status.REJECTED
    notice = Notice.objects.get(user=copier)
    assert "驳回" in notice.title and "内容重复" in notice.body
    actions = set(AuditEvent.objects.filter(subject_id=str(pending_copy.pk)).values_list("action", flat=True))
    assert {"moderation.review.rejected", "library.document.rejected"} <= actions
    assert AuditEvent.objects.get(action="moderation.review.rejected").actor_id == staff.pk


def test_reject_needs_a_reason(staff_client, pending_copy):
    staff_client.post("/ops/review/decide/", {"document": pending_copy.pk, "action": "reject"})
    pending_copy.refresh_from_db()
    assert pending_copy.status == Document.Status.PENDING


def test_bulk_approve_with_checkboxes(staff_client, pending_copy, copier):
    client = Client()
    client.force_login(copier)
    client.post("/me/upload/", {"file": SimpleUploadedFile("b.txt", example(1).encode()), "price": "3"})
    dupes_check_pending()
    ids = list(Document.objects.filter(author=copier).values_list("pk", flat=True))
    assert len(ids) == 2
    staff_client.post("/ops/review/decide/", {"document": ids, "action": "approve"})
    assert set(Document.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Document.Status.PUBLISHED}
    assert Notice.objects.filter(user=copier).count() == 2
    assert AuditEvent.objects.filter(action="moderation.review.approved").count() == 2


def test_typed_reason_and_the_rejected_gate(staff_client, pending_copy, copier, original):
    staff_client.post("/ops/review/decide/", {"document": pending_copy.pk, "action": "reject", "reason_text": "标题不符"})
    pending_copy.refresh_from_db()
    assert pending_copy.status == Document.Status.REJECTED
    assert "标题不符" in Notice.objects.get(user=copier).body
    assert Client().get(f"/d/{pending_copy.pk}/").status_code == 404  # anonymous
    stranger = Client()
    stranger.force_login(original.author)
    assert stranger.get(f"/d/{pending_copy.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/documents/{pending_copy.pk}").status_code == 404
    author = Client()
    author.force_login(copier)
    assert author.get(f"/d/{pending_copy.pk}/").status_code == 200
    assert staff_client.get(f"/d/{pending_copy.pk}/").status_code == 200


def test_staff_api(staff, original, pending_copy, copier):
    token = api_token_create(user=staff)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    queue = Client().get("/api/v1/staff/review", **headers).json()
    assert [d["id"] for d in queue] == [pending_copy.pk] and queue[0]["top_similarity"] >= 0.6
    similar = Client().get(f"/api/v1/staff/documents/{pending_copy.pk}/similar", **headers).json()
    assert similar[0]["id"] == original.pk and similar[0]["percent"] >= 60
    assert Client().get("/api/v1/staff/review").status_code == 401
    other = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=copier)}"}
    assert Client().get("/api/v1/staff/review", **other).status_code == 403
    assert Client().get(f"/api/v1/staff/documents/{pending_copy.pk}/similar", **other).status_code == 403
    assert get_user_model().objects.filter(is_staff=True).count() == 1
