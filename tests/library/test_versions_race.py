"""Parallel reviews of one version decide it once, and submissions racing an approval leave one
pending version and a whole live text — on SQLite (IMMEDIATE transactions) and on PostgreSQL
(row locks), whichever DATABASE_URL names."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from fanwen.core import paywall
from fanwen.core.format import parse_text
from fanwen.library import versions
from fanwen.library.models import Block, Document, DocumentVersion
from fanwen.library.services import DocumentChangeRefused, document_import
from tests.commerce.racing import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]
N = 8
V1 = "竞争文档\n旧开头。\n一、部分\n旧正文。\n##paidbegin##二、付费\n旧付费。"


def setup() -> tuple[Document, DocumentVersion, object]:
    author = get_user_model().objects.create_user("zuozhe", password="zuozhe-pass-1")
    staff = get_user_model().objects.create_user("shenhe", password="shenhe-pass-1", is_staff=True)
    doc = Document.objects.get(pk=document_import(parsed=parse_text(V1), price_fen=500, author_id=author.pk).document_id)
    version = versions.version_submit(document_id=doc.pk, author_id=author.pk,
                                      parsed=parse_text(V1.replace("旧", "新")))
    return doc, version, staff


def test_parallel_approvals_and_rejections_decide_once():
    doc, version, staff = setup()

    def work(i: int) -> str:
        try:
            if i % 2:
                versions.version_reject(version_id=version.pk, actor=staff, reason="并发退回")
                return "rejected"
            versions.version_approve(version_id=version.pk, actor=staff)
            return "approved"
        except DocumentChangeRefused:
            return "refused"

    results = race(N, work)
    version.refresh_from_db()
    assert version.status in ("approved", "rejected")
    assert results[version.status] == N // 2 and results["refused"] == N // 2, results  # repeats are no-ops
    texts = list(Block.objects.filter(document=doc).order_by("position").values_list("text", flat=True))
    assert texts[0] == ("新开头。" if version.status == "approved" else "旧开头。")
    assert len(texts) == 5 and len(set(texts)) == 5
    assert DocumentVersion.objects.filter(document=doc, status="approved").count() == (2 if version.status == "approved" else 0)


def test_submissions_racing_an_approval_leave_one_pending_version_and_a_whole_text():
    doc, version, staff = setup()

    def work(i: int) -> str:
        try:
            if i == 0:
                versions.version_approve(version_id=version.pk, actor=staff)
                return "approved"
            versions.version_submit(document_id=doc.pk, author_id=doc.author_id,
                                    parsed=paywall.with_paid_from(parse_text(V1.replace("旧", f"第{i}版")), 2))
            return "submitted"
        except DocumentChangeRefused:
            return "refused"

    results = race(N, work)
    assert results["submitted"] == N - 1 and results["approved"] + results["refused"] == 1, results
    assert DocumentVersion.objects.filter(document=doc, status="pending").count() == 1
    version.refresh_from_db()
    doc.refresh_from_db()
    texts = list(Block.objects.filter(document=doc).order_by("position").values_list("text", "paid"))
    if version.status == "approved":
        assert texts[0][0] == "新开头。" and doc.summary.startswith("新开头")
    else:  # a later submission withdrew it before the approval took the lock
        assert version.status == "withdrawn" and texts[0][0] == "旧开头。"
    assert len(texts) == 5 and [p for _, p in texts] == [False, False, False, True, True]
