"""The review queue and its compare pages: a pending copy of the planted paid text (uploaded by
another author) is matched to it; no one but staff reaches the queue, the compare page or the
staff API, and the copier learns nothing of the match (no oracle)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce.services import entitlement_grant, entitlement_revoke
from fanwen.library.models import Block, Document
from fanwen.moderation.models import DuplicateMatch
from fanwen.moderation.services import dupes_check_pending
from tests.leak.conftest import Planted
from tests.leak.crawler import crawl
from tests.leak.test_leak import assert_no_canary, extra_urls

pytestmark = pytest.mark.django_db


def _copy_text(planted: Planted) -> bytes:
    blocks = Block.objects.filter(document_id=planted.document_id).order_by("position")
    lines = ["党性分析报告泄漏测试（转载）"]
    for b in blocks:
        lines.append(("##paidbegin##" if b.paid and not any(x.startswith("##") for x in lines) else "") + b.text)
    return "\n".join(lines).encode()


@pytest.fixture
def copy_id(planted: Planted) -> int:
    copier = get_user_model().objects.create_user("copier", password="copier-pass-1")
    client = Client()
    client.force_login(copier)
    client.post("/me/upload/", {"file": SimpleUploadedFile("c.txt", _copy_text(planted)), "price": "3"})
    dupes_check_pending()  # the worker's next second (it also indexes the planted original)
    copy = Document.objects.get(author=copier)
    assert DuplicateMatch.objects.filter(document=copy, other_id=planted.document_id).exists()
    return copy.pk


def review_urls(planted: Planted, copy_id: int) -> list[str]:
    return ["/ops/review/", f"/ops/review/{copy_id}/", f"/ops/review/{copy_id}/compare/{planted.document_id}/",
            f"/ops/review/{planted.document_id}/", "/api/v1/staff/review",
            f"/api/v1/staff/documents/{copy_id}/similar", f"/api/v1/staff/documents/{planted.document_id}/similar"]


@pytest.mark.parametrize("who", ["anonymous", "reader", "token", "revoked", "copier"])
def test_no_one_but_staff_reaches_the_queue(client, planted, copy_id, who):
    headers: dict[str, str] = {}
    if who in ("reader", "token", "revoked"):
        reader = get_user_model().objects.create_user("reader", password="reader-pass-1")
        if who == "revoked":
            entitlement_grant(user_id=reader.pk, document_id=planted.document_id)
            entitlement_revoke(user_id=reader.pk, document_id=planted.document_id)
        if who == "token":
            headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=reader)}"}
        else:
            client.force_login(reader)
    elif who == "copier":
        client.force_login(get_user_model().objects.get(username="copier"))
    urls = review_urls(planted, copy_id)
    result = crawl(client, extra=[*urls, *extra_urls(client, planted)], headers=headers)
    for url in urls:
        assert result.statuses[url] in (401, 403, 404) or "/login" in result.headers[url], (url, result.statuses[url])
    if who != "copier":  # the copier uploaded the canaries themselves: they may read their own copy
        assert_no_canary(result, planted)
    else:  # what the copier sees of their own upload names no match (the document page's 相关文档
        # list is search's, the same for every reader, so only the match words are looked for there)
        for url in ["/me/uploads/", "/me/notices/", "/api/v1/me/documents", "/api/v1/me/notices"]:
            text = client.get(url).content.decode()
            assert f"/d/{planted.document_id}/" not in text and "疑似重复" not in text and "相似度" not in text, url
        text = client.get(f"/d/{copy_id}/").content.decode()
        assert "疑似重复" not in text and "相似度" not in text


def test_staff_see_the_canaries_side_by_side(client, planted, copy_id):
    staff = get_user_model().objects.create_user("staff", password="staff-pass-1", is_staff=True)
    client.force_login(staff)
    html = client.get(f"/ops/review/{copy_id}/compare/{planted.document_id}/").content.decode()
    assert planted.canaries["para"] in html and html.count(planted.canaries["para"]) >= 2
