"""追查泄露 in the admin: staff paste a text or upload a file and get the same answer as
`fanwen trace`; each run is an audit event without the excerpt; anyone else gets the admin
login (or 403 without the right to view deliveries) and no answer."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.access.delivery import deliver
from fanwen.audit.models import AuditEvent
from tests.access.test_trace import FREE_TEXT, PAID_BLOCKS, UNRELATED, window_from, word_text
from tests.access.test_trace import buyers as buyers
from tests.access.test_trace import doc as doc
from tests.commerce.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/admin/access/delivery/trace/"


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(make_user("operator", is_staff=True, is_superuser=True))
    return client


def test_the_delivery_list_links_to_the_trace_page(staff):
    listing = staff.get("/admin/access/delivery/").content.decode()
    assert f'href="{URL}"' in listing and "追查泄露" in listing
    page = staff.get(URL)
    assert page.status_code == 200 and "粘贴文字" in page.content.decode()


def test_staff_paste_an_excerpt_and_see_the_reader_and_the_run_is_audited_without_the_text(staff, doc, buyers):
    delivered = deliver(user=buyers[1], document=doc, fmt="docx")
    excerpt = window_from(word_text(delivered.content), PAID_BLOCKS[2][:12])
    response = staff.post(URL, {"text": excerpt})
    body = response.content.decode()
    assert response.status_code == 200 and "找到来源" in body
    assert "buyer1" in body and doc.title in body and "误判概率" in body and "Word 下载" in body
    assert PAID_BLOCKS[2][:12] not in body  # the excerpt is not shown back
    event = AuditEvent.objects.get(action="access.trace.run")
    assert event.actor.username == "operator"
    assert (event.subject_type, event.subject_id) == ("library.document", str(doc.pk))
    assert event.data["match"] is True and event.data["username"] == "buyer1" and event.data["source"] == "粘贴"
    stored = json.dumps(event.data, ensure_ascii=False)
    assert not any(block[:8] in stored for block in PAID_BLOCKS if len(block) >= 8)


def test_staff_upload_the_leaked_word_file(staff, doc, buyers):
    delivered = deliver(user=buyers[2], document=doc, fmt="docx")
    upload = SimpleUploadedFile("泄露.docx", delivered.content)
    body = staff.post(URL, {"file": upload}).content.decode()
    assert "找到来源" in body and "buyer2" in body
    assert AuditEvent.objects.get(action="access.trace.run").data["source"] == ".docx"


@pytest.mark.parametrize("text", [FREE_TEXT[:300], UNRELATED, "太短"])
def test_no_match_says_why_and_is_audited_too(staff, doc, buyers, text):
    body = staff.post(URL, {"text": text}).content.decode()
    assert "未能确定读者" in body and "buyer" not in body
    event = AuditEvent.objects.get(action="access.trace.run")
    assert event.data["match"] is False and event.data["username"] is None
    assert (event.subject_type, event.subject_id) == ("auth.user", str(event.actor_id))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请粘贴文字或上传一个文件"),
        ({"file": SimpleUploadedFile("x.docx", b"PK\x03\x04 not a word file")}, "无法读取文件"),
        ({"file": SimpleUploadedFile("x.exe", b"MZ")}, "只支持 .docx、.pdf 和 .txt 文件"),
    ],
)
def test_bad_input_is_a_chinese_error_not_a_500(staff, data, message):
    response = staff.post(URL, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not AuditEvent.objects.filter(action="access.trace.run").exists()


def test_anonymous_and_non_staff_get_the_admin_login_and_no_answer(doc, buyers):
    delivered = deliver(user=buyers[0], document=doc, fmt="docx")
    excerpt = window_from(word_text(delivered.content), PAID_BLOCKS[2][:12])
    reader = Client()
    reader.force_login(buyers[0])
    for client in (Client(), reader):
        for response in (client.get(URL), client.post(URL, {"text": excerpt})):
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not AuditEvent.objects.filter(action="access.trace.run").exists()


def test_staff_without_the_right_to_view_deliveries_get_403(doc):
    clerk = make_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_document"))
    client = Client()
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": UNRELATED}).status_code == 403
    assert not AuditEvent.objects.filter(action="access.trace.run").exists()
