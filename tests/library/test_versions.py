"""Versions: a new text or line waits for review while the live version stays; approving swaps
it in one go (blocks, counts, summary, hash, number, history, page copies, search); rejecting
keeps the live one and tells the author why; buyers keep reading across versions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fanwen.access.delivery import deliver
from fanwen.access.models import Delivery
from fanwen.audit.models import AuditEvent
from fanwen.commerce.services import order_create, order_pay_with_wallet, order_refund, wallet_credit
from fanwen.core import paywall
from fanwen.core.fingerprint import strip_carriers
from fanwen.core.format import parse_text
from fanwen.library import versions
from fanwen.library.models import Block, Document, DocumentVersion
from fanwen.library.selectors import document_live_number, versions_pending
from fanwen.library.services import DocumentChangeRefused, document_import
from fanwen.notices.models import Notice
from fanwen.search.indexer import index_sync
from fanwen.search.models import IndexOutbox
from fanwen.search.selectors import search_documents

pytestmark = pytest.mark.django_db

V1 = "\n".join(["版本测试文档", "旧版开头甲乙丙。", "一、第一部分", "旧版第一部分正文。",
                "##paidbegin##二、付费部分", "旧版付费正文丁戊己。"])
V2 = "\n".join(["版本测试文档", "新版开头庚辛壬。", "一、第一部分", "新版第一部分正文。",
                "二、付费部分", "新版付费正文癸子丑。", "三、第三部分", "新版第三部分寅卯辰。"])


@pytest.fixture
def author(db):
    return get_user_model().objects.create_user("zuozhe", password="zuozhe-pass-1")


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("shenhe", password="shenhe-pass-1", is_staff=True)


@pytest.fixture
def doc(author) -> Document:
    result = document_import(parsed=parse_text(V1), price_fen=500, category_name="版本", author_id=author.pk)
    index_sync()
    return Document.objects.get(pk=result.document_id)


def submit(doc: Document, text: str = V2, paid_from: int = 5, **kw) -> DocumentVersion:  # type: ignore[no-untyped-def]
    parsed = paywall.with_paid_from(parse_text(text), paid_from)
    return versions.version_submit(document_id=doc.pk, author_id=doc.author_id, parsed=parsed, **kw)


def texts(doc: Document) -> list[tuple[str, bool]]:
    return list(Block.objects.filter(document=doc).order_by("position").values_list("text", "paid"))


def buyer(name: str, doc: Document):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(name, password=f"{name}-pass-1")
    wallet_credit(user=user, amount_fen=500, reason="test")
    order = order_create(user=user, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=user)
    return user, order


def page_as(user, doc: Document) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return strip_carriers(client.get(f"/d/{doc.pk}/").content.decode())


def test_a_submitted_version_waits_and_the_live_text_stays(doc, author):
    before, anonymous = texts(doc), page_as(None, doc)
    version = submit(doc)
    assert version.status == "pending" and version.number is None and version.paid_from == 5
    assert texts(doc) == before
    doc.refresh_from_db()
    assert "新版" not in doc.summary and document_live_number(document_id=doc.pk) == 1
    assert page_as(None, doc) == anonymous
    assert list(versions_pending()) == [version]
    assert AuditEvent.objects.filter(action="library.version.submitted").count() == 1


def test_a_second_submission_replaces_the_waiting_one(doc):
    first = submit(doc)
    second = submit(doc, paid_from=4)
    first.refresh_from_db()
    assert first.status == "withdrawn" and list(versions_pending()) == [second]


def test_the_same_text_and_line_is_not_a_version(doc):
    with pytest.raises(versions.VersionUnchanged):
        versions.version_submit(document_id=doc.pk, author_id=doc.author_id, parsed=parse_text(V1))


def test_only_the_author_submits(doc):
    other = get_user_model().objects.create_user("other", password="other-pass-1")
    with pytest.raises(DocumentChangeRefused):
        versions.version_submit(document_id=doc.pk, author_id=other.pk, parsed=parse_text(V2))


def test_approve_swaps_the_live_text_at_once(doc, author, staff):
    anonymous_before = page_as(None, doc)  # now in the anonymous page cache
    assert "旧版开头" in anonymous_before
    old_hash = doc.content_hash
    version = submit(doc)
    IndexOutbox.objects.all().delete()
    approved = versions.version_approve(version_id=version.pk, actor=staff)
    doc.refresh_from_db()
    assert approved.number == 2 and approved.status == "approved" and approved.decided_by == staff
    assert texts(doc)[0][0] == "新版开头庚辛壬。" and [p for _, p in texts(doc)].index(True) == 5
    assert doc.content_hash == approved.content_hash != old_hash
    assert doc.summary.startswith("新版开头") and doc.chars_paid > 0 and doc.sections_paid == 1
    history = DocumentVersion.objects.filter(document=doc, status="approved").order_by("number")
    assert [(v.number, v.content_hash) for v in history] == [(1, old_hash), (2, doc.content_hash)]
    assert document_live_number(document_id=doc.pk) == 2
    assert IndexOutbox.objects.filter(document_id=doc.pk, action="upsert").exists()
    page = page_as(None, doc)
    assert "新版开头" in page and "旧版开头" not in page and "新版第三部分" not in page
    assert AuditEvent.objects.filter(action="library.version.approved", actor_id=staff.pk).exists()
    notice = Notice.objects.get(user=author, kind="review")
    assert "第 2 版" in notice.title
    assert versions.version_approve(version_id=version.pk, actor=staff).number == 2  # idempotent
    with pytest.raises(DocumentChangeRefused):
        versions.version_reject(version_id=version.pk, actor=staff, reason="晚了")


def test_search_follows_the_live_version(doc, staff):
    version = submit(doc)
    index_sync()
    assert search_documents("庚辛壬").total == 0, "a pending version is not searchable"
    assert search_documents("甲乙丙").total == 1
    versions.version_approve(version_id=version.pk, actor=staff)
    index_sync()
    assert search_documents("庚辛壬").total == 1
    assert search_documents("甲乙丙").total == 0
    assert search_documents("寅卯辰").total == 0, "the new paid part is not indexed"


def test_reject_keeps_the_live_version_and_tells_the_author_why(doc, author, staff):
    before = texts(doc)
    version = submit(doc)
    with pytest.raises(DocumentChangeRefused):
        versions.version_reject(version_id=version.pk, actor=staff, reason="  ")
    rejected = versions.version_reject(version_id=version.pk, actor=staff, reason="付费部分太靠前")
    assert rejected.status == "rejected" and rejected.reason == "付费部分太靠前"
    assert texts(doc) == before
    assert "付费部分太靠前" in Notice.objects.get(user=author, kind="review").body
    assert AuditEvent.objects.filter(action="library.version.rejected").exists()
    with pytest.raises(DocumentChangeRefused):
        versions.version_approve(version_id=version.pk, actor=staff)


def test_buyers_keep_access_across_versions(doc, staff):
    kept, _ = buyer("kept", doc)
    refunded, order = buyer("refunded", doc)
    order_refund(order_id=order.pk, actor=None)
    stranger = get_user_model().objects.create_user("stranger", password="stranger-pass-1")
    version = submit(doc, paid_from=4)  # the line moves up: more is paid
    versions.version_approve(version_id=version.pk, actor=staff)
    full = page_as(kept, doc)
    for line in ("新版开头", "新版付费正文癸子丑", "新版第三部分寅卯辰"):
        assert line in full
    for reader in (None, stranger, refunded):
        page = page_as(reader, doc)
        assert "新版开头" in page and "新版第一部分正文" in page
        assert "新版付费正文" not in page and "寅卯辰" not in page and "旧版" not in page
    delivered = deliver(user=kept, document=Document.objects.get(pk=doc.pk), fmt="docx")
    assert delivered is not None
    assert Delivery.objects.get(user=kept).document_version == version.content_hash


def test_a_version_with_the_text_of_another_document_is_refused(doc, author, staff):
    other = document_import(parsed=parse_text(V2.replace("版本测试文档", "另一篇")), price_fen=300, author_id=author.pk)
    assert other.status == "imported"
    version = submit(doc)
    taken = versions.content_hash(paywall.with_paid_from(parse_text(V2), 5), author_id=author.pk)
    Document.objects.filter(pk=other.document_id).update(content_hash=taken)
    before = texts(doc)
    with pytest.raises(DocumentChangeRefused, match=f"#{other.document_id}"):
        versions.version_approve(version_id=version.pk, actor=staff)
    assert texts(doc) == before
    version.refresh_from_db()
    assert version.status == "pending"


def test_a_free_document_gets_its_price_with_its_first_paid_version(author, staff):
    result = document_import(parsed=parse_text("免费文档\n开头。\n一、部分\n正文。"), author_id=author.pk)
    doc = Document.objects.get(pk=result.document_id)
    with pytest.raises(DocumentChangeRefused, match="价格"):
        submit(doc, text="免费文档\n开头。\n一、部分\n正文。", paid_from=2)
    version = submit(doc, text="免费文档\n开头。\n一、部分\n正文。", paid_from=2, price_fen=800)
    versions.version_approve(version_id=version.pk, actor=staff)
    doc.refresh_from_db()
    assert (doc.price_fen, doc.has_paid) == (800, True)


def test_authors_unpublish_and_republishing_goes_through_review(doc, author, staff):
    kept, _ = buyer("kept", doc)
    assert versions.document_author_unpublish(document_id=doc.pk, author_id=author.pk, actor=author)
    doc.refresh_from_db()
    assert doc.status == "unpublished"
    assert "旧版付费正文" in page_as(kept, doc)
    assert Client().get(f"/d/{doc.pk}/").status_code == 404
    request = versions.document_author_republish(document_id=doc.pk, author_id=author.pk, actor=author)
    doc.refresh_from_db()
    assert doc.status == "unpublished" and request.kind == "republish"
    assert "旧版付费正文" in page_as(kept, doc), "buyers keep reading while the request waits"
    versions.version_approve(version_id=request.pk, actor=staff)
    doc.refresh_from_db()
    assert doc.status == "published" and texts(doc)[0][0] == "旧版开头甲乙丙。"
    assert document_live_number(document_id=doc.pk) == 1


def test_a_version_can_wait_while_unpublished_and_goes_live_unpublished(doc, author, staff):
    version = submit(doc)
    versions.document_author_unpublish(document_id=doc.pk, author_id=author.pk, actor=author)
    versions.version_approve(version_id=version.pk, actor=staff)
    doc.refresh_from_db()
    assert doc.status == "unpublished" and doc.summary.startswith("新版")


def test_a_document_waiting_for_its_first_review_has_no_versions(author):
    result = document_import(parsed=parse_text(V1), price_fen=500, author_id=author.pk, status="pending")
    with pytest.raises(DocumentChangeRefused, match="审核"):
        versions.version_submit(document_id=result.document_id, author_id=author.pk, parsed=parse_text(V2))


def test_a_page_rendered_while_a_version_goes_live_is_not_kept(doc, staff, monkeypatch):
    """The swap commits between the render (v1) and the cache write: the view's re-read after
    its write sees the content changed and clears the copy, so the next reader gets v2."""
    from fanwen.library import views

    version = submit(doc)
    real_set = views.anonymous_page_set

    def swap_then_set(document_id: int, content: bytes) -> None:
        versions.version_approve(version_id=version.pk, actor=staff)
        real_set(document_id, content)

    monkeypatch.setattr(views, "anonymous_page_set", swap_then_set)
    assert "旧版开头" in page_as(None, doc)  # rendered from v1
    monkeypatch.setattr(views, "anonymous_page_set", real_set)
    assert "新版开头" in page_as(None, doc)
