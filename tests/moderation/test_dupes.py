"""Near-duplicates found on upload and import; the uploader is told nothing (no oracle)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.library.models import Document
from fanwen.moderation.models import Band, DuplicateMatch, Signature
from fanwen.moderation.services import dupes_check_pending, dupes_rebuild
from tests.core.neardup_cases import example, reordered_upload, traditional

pytestmark = pytest.mark.django_db


def _leaks(body: str, original: Document) -> bool:
    """The copy has the original's title, so its title proves nothing; the original's link, id,
    author and any word of a match do."""
    return (f"/d/{original.pk}/" in body or original.author.username in body or "重复" in body or "相似" in body
            or f'"id": {original.pk}' in body or f'"id":{original.pk}' in body)


def test_old_upload_of_an_edited_copy_is_matched_and_the_uploader_sees_only_review(client, original, copier, copy_bytes):
    client.force_login(copier)
    response = client.post("/me/upload/", {"file": SimpleUploadedFile("copy.txt", copy_bytes), "price": "3"},
                           follow=True)
    dupes_check_pending()  # the worker's next second
    copy = Document.objects.get(author=copier)
    assert copy.status == Document.Status.PENDING
    top = DuplicateMatch.objects.filter(document=copy).order_by("-similarity").first()
    assert top is not None and top.other_id == original.pk and top.similarity >= 0.6
    body = response.content.decode()
    assert "待审核" in body or "审核中" in body
    assert not _leaks(body, original)
    for url in ("/me/uploads/", f"/d/{copy.pk}/", "/me/notices/"):
        page = client.get(url).content.decode()
        assert not _leaks(page, original), url


def test_the_uploaders_page_is_the_same_with_or_without_a_match(client, original, copier):
    """Same wording for a copy and for an original text: nothing to tell them apart."""
    client.force_login(copier)
    client.post("/me/upload/", {"file": SimpleUploadedFile("a.txt", traditional(example(0)).encode()), "price": "3"})
    client.post("/me/upload/", {"file": SimpleUploadedFile("b.txt", example(1).encode()), "price": "3"})
    dupes_check_pending()
    copy, fresh = Document.objects.filter(author=copier).order_by("pk")
    assert DuplicateMatch.objects.filter(document=copy, other=original).exists()
    assert not DuplicateMatch.objects.filter(document=fresh).exists()
    listing = client.get("/me/uploads/").content.decode()
    assert listing.count("待审核") >= 2 and not _leaks(listing, original)


def test_api_upload_is_matched_and_the_answer_names_no_match(original, copier):
    token = api_token_create(user=copier)
    response = Client().post("/api/v1/me/documents", {"file": SimpleUploadedFile("r.txt", reordered_upload(example(0)).encode()),
                                                     "price_yuan": "3"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in (200, 201), response.content
    dupes_check_pending()  # the worker's next second
    copy = Document.objects.get(author=copier)
    assert DuplicateMatch.objects.filter(document=copy, other=original).exists()
    listing = Client().get("/api/v1/me/documents", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert not _leaks(listing.content.decode(), original)
    assert not _leaks(response.content.decode(), original)


def test_the_studio_submit_is_matched(original, copier, copy_bytes):
    from fanwen.studio.models import Draft

    client = Client()
    client.force_login(copier)
    client.post("/studio/", {"file": SimpleUploadedFile("copy.txt", copy_bytes)})
    draft = Draft.objects.get(author=copier)
    client.post(draft.get_absolute_url(), {"title": draft.title, "price": "3", "action": "submit"})
    dupes_check_pending()  # the worker's next second
    copy = Document.objects.get(author=copier)
    assert DuplicateMatch.objects.filter(document=copy, other=original).exists()


def test_import_summary_flags_the_duplicate(original, tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes(traditional(example(0)).encode("utf-8"))
    (tmp_path / "other.txt").write_text(example(1), "utf-8")
    out = StringIO()
    call_command("import", str(tmp_path), "--price", "5", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert f"疑似重复：{path} ≈ #{original.pk}" in text and "相似度" in text and "疑似重复 1" in text
    assert "other.txt" not in text.split("完成")[0]
    out = StringIO()
    path.write_bytes(reordered_upload(example(0)).encode("gb18030"))
    call_command("import", str(path), "--price", "5", "--json", stdout=out, stderr=StringIO())
    row = json.loads(out.getvalue().splitlines()[0])
    assert row["similar"][0]["id"] == original.pk


def test_unrelated_documents_are_not_matched(original, copier):
    client = Client()
    client.force_login(copier)
    client.post("/me/upload/", {"file": SimpleUploadedFile("b.txt", example(1).encode()), "price": "3"})
    assert not DuplicateMatch.objects.exists()


def test_rebuild_restores_the_index(original, copier, copy_bytes):
    client = Client()
    client.force_login(copier)
    client.post("/me/upload/", {"file": SimpleUploadedFile("copy.txt", copy_bytes), "price": "3"})
    Band.objects.all().delete()
    Signature.objects.all().delete()
    DuplicateMatch.objects.all().delete()
    assert dupes_rebuild() == 2
    assert Band.objects.count() == 32
    assert DuplicateMatch.objects.filter(other=original).count() == 1
    out = StringIO()
    call_command("dupes", "rebuild", stdout=out)
    assert "2 篇" in out.getvalue()


def test_a_document_is_not_its_own_match(original):
    from fanwen.moderation.services import dupes_check

    assert dupes_check(document_id=original.pk) == []
    assert get_user_model().objects.count() == 1


def test_imports_leave_the_check_to_the_worker_and_a_changed_text_is_checked_again(original, copier):
    from fanwen.core.reader import read_bytes
    from fanwen.library.services import document_import
    from fanwen.moderation.models import Signature

    copy_id = document_import(parsed=read_bytes(traditional(example(0)).encode(), name="c.txt"), price_fen=300,
                              author_id=copier.pk, status=Document.Status.PENDING).document_id
    assert not Signature.objects.filter(document_id=copy_id).exists()  # nothing computed in the import
    assert dupes_check_pending() == 1
    assert DuplicateMatch.objects.filter(document_id=copy_id, other=original).exists()
    assert dupes_check_pending() == 0
    from fanwen.library.changes import document_changed

    document_changed(document_id=original.pk)  # e.g. a new version approved
    assert not Signature.objects.filter(document_id=original.pk).exists()
    assert dupes_check_pending() == 1


def test_a_bulk_import_can_leave_the_check_to_the_worker(original, tmp_path):
    from fanwen.moderation.models import Signature

    (tmp_path / "copy.txt").write_bytes(traditional(example(0)).encode("utf-8"))
    out = StringIO()
    call_command("import", str(tmp_path), "--price", "5", "--no-duplicate-check", stdout=out, stderr=StringIO())
    assert "疑似重复：" not in out.getvalue()
    copy = Document.objects.exclude(pk=original.pk).get()
    assert not Signature.objects.filter(document=copy).exists()
    dupes_check_pending()
    assert DuplicateMatch.objects.filter(document=copy, other=original).exists()
