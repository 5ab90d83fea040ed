"""Editing a stored document from the studio (/studio/documents/<id>/) and the API: details at
once, a moved line or a new file as a version for review, unpublish, the history."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.audit.models import AuditEvent
from fanwen.core.format import parse_text
from fanwen.library import versions
from fanwen.library.models import Block, Category, Document, DocumentVersion
from fanwen.library.services import document_import
from fanwen.search.models import IndexOutbox
from fanwen.studio.models import Draft

pytestmark = pytest.mark.django_db

TEXT = "\n".join(["可编辑的文档", "开头一段。", "一、第一部分", "第一部分正文。", "##paidbegin##二、第二部分",
                  "第二部分正文。", "三、第三部分", "第三部分正文。"])


@pytest.fixture
def doc(author) -> Document:
    result = document_import(parsed=parse_text(TEXT), price_fen=500, category_name="旧分类", author_id=author.pk)
    return Document.objects.get(pk=result.document_id)


def live(doc: Document) -> list[tuple[str, bool]]:
    return list(Block.objects.filter(document=doc).order_by("position").values_list("text", "paid"))


def test_details_change_at_once_audited_and_indexed(client_author, doc):
    Category.objects.create(name="新分类", slug="xin")
    IndexOutbox.objects.all().delete()
    response = client_author.post(f"/studio/documents/{doc.pk}/", {
        "action": "details", "title": "改过的标题", "category": "xin", "tags": "甲，乙", "price": "9.90"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.title, doc.category.slug, doc.tags, doc.price_fen) == ("改过的标题", "xin", "甲 乙", 990)
    assert AuditEvent.objects.filter(action="library.document.edited").exists()
    assert AuditEvent.objects.filter(action="library.document.price_changed").exists()
    assert IndexOutbox.objects.filter(document_id=doc.pk).exists()
    assert not DocumentVersion.objects.exists(), "details are not a version"


def test_bad_details_are_a_chinese_400(client_author, doc):
    response = client_author.post(f"/studio/documents/{doc.pk}/", {"action": "details", "title": "", "price": "abc"})
    assert response.status_code == 400 and "价格" in response.content.decode()
    response = client_author.post(f"/studio/documents/{doc.pk}/", {"action": "details", "title": "x##paidbegin##"})
    assert response.status_code == 400 and "付费标记" in response.content.decode()


def test_moving_the_line_opens_the_editor_and_submits_a_version(client_author, doc, author):
    response = client_author.post(f"/studio/documents/{doc.pk}/", {"action": "line"})
    draft = Draft.objects.get(version_of=doc)
    assert response["Location"].startswith(draft.get_absolute_url()) and draft.paid_from == 3
    editor = client_author.get(draft.get_absolute_url()).content.decode()
    assert "新版本草稿" in editor and "第三部分正文" in editor
    before = live(doc)
    client_author.post(draft.get_absolute_url(), {"title": doc.title, "price": "5", "move": "5"})
    response = client_author.post(draft.get_absolute_url(), {"title": doc.title, "price": "5", "action": "submit"})
    assert response["Location"] == f"/studio/documents/{doc.pk}/"
    version = DocumentVersion.objects.get(document=doc)
    assert (version.status, version.paid_from) == ("pending", 5)
    assert live(doc) == before
    page = client_author.get(f"/studio/documents/{doc.pk}/").content.decode()
    assert "待审核" in page and "第 6 段起付费" in page


def test_a_new_file_makes_a_version_draft(client_author, doc):
    upload = SimpleUploadedFile("new.txt", "新文件\n新的开头。\n一、新部分\n##paidbegin##新的付费。".encode())
    response = client_author.post(f"/studio/documents/{doc.pk}/", {"action": "file", "file": upload})
    draft = Draft.objects.get(version_of=doc)
    assert response.status_code == 302 and draft.paid_from == 2 and draft.title == doc.title
    client_author.post(draft.get_absolute_url(), {"title": doc.title, "price": "5", "action": "submit"})
    assert DocumentVersion.objects.get(document=doc).chars_paid == 5  # 新的付费。


def test_a_bad_file_is_a_chinese_400(client_author, doc):
    upload = SimpleUploadedFile("new.pdf", b"%PDF-1.4")
    response = client_author.post(f"/studio/documents/{doc.pk}/", {"action": "file", "file": upload})
    assert response.status_code == 400 and "只支持" in response.content.decode()


def test_only_the_author_edits(doc):
    stranger = Client()
    stranger.force_login(get_user_model().objects.create_user("stranger", password="stranger-pass-1"))
    assert stranger.get(f"/studio/documents/{doc.pk}/").status_code == 404
    assert stranger.post(f"/studio/documents/{doc.pk}/", {"action": "unpublish"}).status_code == 404
    assert Client().get(f"/studio/documents/{doc.pk}/").status_code == 302
    assert Document.objects.get(pk=doc.pk).status == "published"


def test_unpublish_and_ask_to_republish(client_author, doc):
    client_author.post(f"/studio/documents/{doc.pk}/", {"action": "unpublish"})
    doc.refresh_from_db()
    assert doc.status == "unpublished"
    client_author.post(f"/studio/documents/{doc.pk}/", {"action": "republish"})
    assert DocumentVersion.objects.get(document=doc).kind == "republish"
    assert "申请重新上架" in client_author.get(f"/studio/documents/{doc.pk}/").content.decode()


def test_my_uploads_links_to_the_edit_page(client_author, doc):
    assert f"/studio/documents/{doc.pk}/" in client_author.get("/me/uploads/").content.decode()


def api(author) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=author)}"}


def test_api_patch_details_and_line(author, doc):
    headers = api(author)
    response = Client().patch(f"/api/v1/me/documents/{doc.pk}", {"title": "API 改的", "price_fen": 700},
                              content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["price_fen"], body["version"], body["pending_version"]) == ("API 改的", 700, 1, None)
    response = Client().patch(f"/api/v1/me/documents/{doc.pk}", {"paid_from": 5}, content_type="application/json",
                              **headers)
    assert response.json()["pending_version"]["paid_from"] == 5
    for bad in ({"paid_from": 99}, {"price_fen": -1}, {"category": "nope"}, {"title": ""}):
        response = Client().patch(f"/api/v1/me/documents/{doc.pk}", bad, content_type="application/json", **headers)
        assert response.status_code == 400, (bad, response.content)


def test_api_versions_post_and_list(author, doc):
    headers = api(author)
    client = Client()
    assert client.post(f"/api/v1/me/documents/{doc.pk}/versions", {}, **headers).status_code == 400
    response = client.post(f"/api/v1/me/documents/{doc.pk}/versions", {
        "file": SimpleUploadedFile("v.txt", "标题\n新开头。\n一、部分\n正文。\n二、部分\n付费。".encode()),
        "paid_from": "3"}, **headers)
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["paid_from"]) == ("pending", 3)
    listed = client.get(f"/api/v1/me/documents/{doc.pk}/versions", **headers).json()
    assert [v["status"] for v in listed] == ["pending"]
    versions.version_approve(version_id=listed[0]["id"], actor=None)
    listed = client.get(f"/api/v1/me/documents/{doc.pk}/versions", **headers).json()
    assert [(v["number"], v["status"]) for v in listed] == [(2, "approved"), (1, "approved")]
    other = get_user_model().objects.create_user("other", password="other-pass-1")
    assert client.get(f"/api/v1/me/documents/{doc.pk}/versions", **api(other)).status_code == 404
    assert client.patch(f"/api/v1/me/documents/{doc.pk}", {"title": "x"}, content_type="application/json",
                        **api(other)).status_code == 404


def test_new_files_count_against_the_hourly_upload_limit(client_author, author, doc, settings):
    settings.FANWEN_UPLOADS_PER_HOUR = 1
    upload = lambda: SimpleUploadedFile("n.txt", "新\n开头。\n##paidbegin##付费。".encode())  # noqa: E731
    assert client_author.post(f"/studio/documents/{doc.pk}/", {"action": "file", "file": upload()}).status_code == 302
    page = client_author.post(f"/studio/documents/{doc.pk}/", {"action": "file", "file": upload()})
    assert page.status_code == 429 and "上传过于频繁" in page.content.decode()
    response = Client().post(f"/api/v1/me/documents/{doc.pk}/versions", {"file": upload()}, **api(author))
    assert response.status_code == 429


def test_the_preview_of_a_version_draft(client_author, doc):
    client_author.post(f"/studio/documents/{doc.pk}/", {"action": "line"})
    draft = Draft.objects.get(version_of=doc)
    unchanged = client_author.get(f"{draft.get_absolute_url()}preview/", follow=True).content.decode()
    assert "与当前版本相同" in unchanged
    client_author.post(draft.get_absolute_url(), {"title": doc.title, "price": "5", "move": "5"})
    preview = client_author.get(f"{draft.get_absolute_url()}preview/").content.decode()
    assert "第一部分正文" in preview and "第二部分正文" in preview and "第三部分正文" not in preview
    assert live(doc)[4] == ("第二部分正文。", True), "the preview changed nothing live"
