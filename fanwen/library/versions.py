"""Versions of a published document: an author's new text or moved paywall line waits for
review as a pending ``DocumentVersion`` while the document's Block rows stay the live version;
approving swaps the text in one transaction (blocks, counts, summary, content_hash, a version
number), clears the anonymous page copies and queues the search index.  Entitlements are per
document, so buyers keep reading across versions.  Authors unpublish their own documents here;
putting one back on sale is a request staff review (kind ``republish``)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from fanwen.audit.services import audit_record
from fanwen.core import format as fmt
from fanwen.core import structure
from fanwen.library.changes import UPSERT, document_changed
from fanwen.library.models import Block, Document, DocumentVersion
from fanwen.library.services import (
    MAX_PRICE_FEN,
    DocumentChangeRefused,
    _blocks_insert,
    _document_lock,
    content_hash,
    document_page_cache_clear,
    document_set_status,
    summary_of,
)
from fanwen.notices.models import Notice
from fanwen.notices.services import notify, notify_staff

EDITABLE = (Document.Status.PUBLISHED, Document.Status.UNPUBLISHED)
_NO_LIMIT = 10**9


class VersionUnchanged(DocumentChangeRefused):
    """The submitted text and line are those of the live version."""


def live_parsed(document: Document) -> fmt.Document:
    """The live version as a core document (markers where the paid blocks are).  For its author
    and staff only: callers check who asks (studio, admin)."""
    blocks = Block.objects.filter(document_id=document.pk).order_by("position").values_list("text", "paid")
    return fmt.Document(title=document.title, blocks=tuple(fmt.Block(text=t, paid=p) for t, p in blocks))


def first_paid(parsed: fmt.Document) -> int:
    return next((i for i, b in enumerate(parsed.blocks) if b.paid), len(parsed.blocks))


def version_parsed(version: DocumentVersion) -> fmt.Document:
    return fmt.parse_text(version.text, max_blocks=_NO_LIMIT)


def _own_editable(document_id: int, author_id: int) -> Document:
    document = _document_lock(document_id)
    if document.author_id != author_id:
        raise DocumentChangeRefused(f"文档不存在：#{document_id}")
    if document.status not in EDITABLE:
        raise DocumentChangeRefused("这篇文档正在审核或已侵权下架，不能修改" if document.status != Document.Status.PENDING
                                    else "这篇文档还在审核中，通过后才能提交新版本")
    return document


def _withdraw_pending(document_id: int) -> None:
    DocumentVersion.objects.filter(document_id=document_id, status=DocumentVersion.Status.PENDING).update(
        status=DocumentVersion.Status.WITHDRAWN, decided_at=timezone.now()
    )


def version_submit(
    *, document_id: int, author_id: int, parsed: fmt.Document, source_name: str = "",
    price_fen: int | None = None, actor: Any = None,
) -> DocumentVersion:
    """The author's new text or line for review; replaces a version already waiting.  The live
    version is untouched.  ``parsed`` carries the line (its paid blocks); its title is ignored
    (titles change at once, see ``document_update_details``)."""
    with transaction.atomic():
        document = _own_editable(document_id, author_id)
        parsed = fmt.Document(title=document.title, blocks=parsed.blocks)
        if content_hash(parsed, author_id=document.author_id) == document.content_hash:
            raise VersionUnchanged("正文和付费分界线都与当前版本相同，无需提交")
        if parsed.has_paid and document.price_fen == 0 and not price_fen:
            raise DocumentChangeRefused("新版本含付费部分，请填写价格")
        if price_fen is not None and not 0 <= price_fen <= MAX_PRICE_FEN:
            raise DocumentChangeRefused(f"价格须在 0.01 到 {MAX_PRICE_FEN // 100} 元之间")
        _withdraw_pending(document_id)
        counts = structure.char_count(parsed.blocks)
        version = DocumentVersion.objects.create(
            document=document, kind=DocumentVersion.Kind.TEXT, text=fmt.serialise(parsed),
            content_hash=content_hash(parsed, author_id=document.author_id), title=document.title,
            chars_free=counts.free, chars_paid=counts.paid, paid_from=first_paid(parsed),
            blocks=len(parsed.blocks), price_fen=price_fen, source_name=source_name[-500:], created_by_id=author_id,
        )
        audit_record(action="library.version.submitted", actor=actor, subject=document,
                     data={"version": version.pk, "paid_from": version.paid_from, "chars_free": counts.free,
                           "chars_paid": counts.paid})
        _tell_staff(document, "新版本待审核")
        return version


def _tell_staff(document: Document, what: str) -> None:
    notify_staff(kind=Notice.Kind.REVIEW, title=f"{what}：《{document.title[:60]}》",
                 link=f"/admin/library/documentversion/?status__exact={DocumentVersion.Status.PENDING}")


def _history_start(document: Document) -> None:
    """The first approved change keeps the text it replaces as version 1."""
    if DocumentVersion.objects.filter(document_id=document.pk, status=DocumentVersion.Status.APPROVED).exists():
        return
    live = live_parsed(document)
    first = DocumentVersion.objects.create(
        document=document, number=1, status=DocumentVersion.Status.APPROVED, text=fmt.serialise(live),
        content_hash=document.content_hash, title=document.title, chars_free=document.chars_free,
        chars_paid=document.chars_paid, paid_from=first_paid(live), blocks=len(live.blocks),
        price_fen=document.price_fen, source_name=document.source_name, created_by_id=document.author_id,
        decided_at=document.created_at,
    )
    DocumentVersion.objects.filter(pk=first.pk).update(created_at=document.created_at)  # it was made then


def _lock_pending(version_id: int) -> tuple[Document, DocumentVersion]:
    """Document first, then the version: the order version_submit takes them in."""
    found = DocumentVersion.objects.filter(pk=version_id).values_list("document_id", flat=True).first() \
        if 0 < version_id < 2**63 else None
    if found is None:
        raise DocumentChangeRefused(f"版本不存在：#{version_id}")
    document = _document_lock(found)
    version = DocumentVersion.objects.select_for_update().get(pk=version_id)
    return document, version


def version_approve(*, version_id: int, actor: Any = None) -> DocumentVersion:
    """Make a pending version live (or put a document back on sale, for a republish request).
    Idempotent: approving an approved version changes nothing."""
    with transaction.atomic():
        document, version = _lock_pending(version_id)
        if version.status == DocumentVersion.Status.APPROVED:
            return version
        if version.status != DocumentVersion.Status.PENDING:
            raise DocumentChangeRefused(f"这个版本{version.get_status_display()}，不能通过")
        if document.status not in EDITABLE:
            raise DocumentChangeRefused("文档正在审核或已侵权下架，不能启用新版本")
        if version.kind == DocumentVersion.Kind.REPUBLISH:
            document_set_status(document_id=document.pk, status=Document.Status.PUBLISHED, actor=actor)
        else:
            _swap(document, version)
        version.status = DocumentVersion.Status.APPROVED
        version.decided_at = timezone.now()
        version.decided_by = actor if getattr(actor, "pk", None) else None
        version.save(update_fields=["status", "number", "decided_at", "decided_by"])
        audit_record(action="library.version.approved", actor=actor, subject=document,
                     data={"version": version.pk, "number": version.number, "kind": version.kind,
                           "content_hash": version.content_hash})
        if version.kind == DocumentVersion.Kind.TEXT and document.author_id is not None:
            notify(user_id=document.author_id, kind=Notice.Kind.REVIEW,
                   title=f"新版本审核通过：《{document.title[:60]}》第 {version.number} 版已生效",
                   body="读者现在看到的是新版本；已购买的读者仍可阅读全文。", link=document.get_absolute_url())
        return version


def _swap(document: Document, version: DocumentVersion) -> None:
    parsed = fmt.Document(title=document.title, blocks=version_parsed(version).blocks)
    digest = content_hash(parsed, author_id=document.author_id)
    price_fen = document.price_fen if parsed.has_paid else 0
    if parsed.has_paid and not price_fen:
        price_fen = version.price_fen or 0
        if not price_fen:
            raise DocumentChangeRefused("新版本含付费部分，但文档没有价格：请作者填写价格后重新提交")
    _history_start(document)
    latest = DocumentVersion.objects.filter(document_id=document.pk).aggregate(n=Max("number"))["n"] or 1
    infos = structure.analyse([b.text for b in parsed.blocks])
    counts = structure.char_count(parsed.blocks)
    sections = [(b.paid, i.kind != structure.KIND_PARAGRAPH) for b, i in zip(parsed.blocks, infos, strict=True)]
    try:
        with transaction.atomic():
            Document.objects.filter(pk=document.pk).update(
                content_hash=digest, chars_free=counts.free, chars_paid=counts.paid, price_fen=price_fen,
                sections_free=sum(1 for paid, s in sections if s and not paid),
                sections_paid=sum(1 for paid, s in sections if s and paid), summary=summary_of(parsed),
            )
    except IntegrityError as exc:
        other = Document.objects.filter(content_hash=digest).values_list("pk", flat=True).first()
        raise DocumentChangeRefused(f"新版本与作者的另一篇文档 #{other} 内容相同，不能通过") from exc
    Block.objects.filter(document_id=document.pk).delete()
    _blocks_insert(document.pk, parsed, infos)
    version.number = latest + 1
    version.content_hash = digest
    document_page_cache_clear(document_id=document.pk)
    document_changed(document_id=document.pk, action=UPSERT)


def version_reject(*, version_id: int, actor: Any = None, reason: str) -> DocumentVersion:
    """Keep the live version; the author is told why."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise DocumentChangeRefused("请填写未通过的原因（会告知作者）")
    with transaction.atomic():
        document, version = _lock_pending(version_id)
        if version.status == DocumentVersion.Status.REJECTED:
            return version
        if version.status != DocumentVersion.Status.PENDING:
            raise DocumentChangeRefused(f"这个版本{version.get_status_display()}，不能退回")
        version.status = DocumentVersion.Status.REJECTED
        version.reason = reason
        version.decided_at = timezone.now()
        version.decided_by = actor if getattr(actor, "pk", None) else None
        version.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        audit_record(action="library.version.rejected", actor=actor, subject=document,
                     data={"version": version.pk, "kind": version.kind, "reason": reason})
        if document.author_id is not None:
            what = "重新上架申请" if version.kind == DocumentVersion.Kind.REPUBLISH else "新版本"
            notify(user_id=document.author_id, kind=Notice.Kind.REVIEW,
                   title=f"{what}未通过审核：《{document.title[:60]}》", body=f"原因：{reason}。当前版本保持不变。",
                   link=f"/studio/documents/{document.pk}/")
        return version


def document_author_unpublish(*, document_id: int, author_id: int, actor: Any = None) -> bool:
    """The author takes their published document off sale; buyers and grantees keep reading
    (``access.gate.can_see``).  A pending version stays pending."""
    with transaction.atomic():
        document = _own_editable(document_id, author_id)
        if document.status != Document.Status.PUBLISHED:
            return False
        return document_set_status(document_id=document_id, status=Document.Status.UNPUBLISHED, actor=actor)


def document_author_republish(*, document_id: int, author_id: int, actor: Any = None) -> DocumentVersion:
    """Asks staff to put an unpublished document back on sale: a ``republish`` version of the
    live text; the document stays unpublished (its buyers keep reading) until approved."""
    with transaction.atomic():
        document = _own_editable(document_id, author_id)
        if document.status != Document.Status.UNPUBLISHED:
            raise DocumentChangeRefused("只有已下架的文档可以申请重新上架")
        pending = DocumentVersion.objects.filter(document_id=document_id, status=DocumentVersion.Status.PENDING).first()
        if pending is not None and pending.kind == DocumentVersion.Kind.REPUBLISH:
            return pending
        _withdraw_pending(document_id)
        version = DocumentVersion.objects.create(
            document=document, kind=DocumentVersion.Kind.REPUBLISH, text="", content_hash=document.content_hash,
            title=document.title, chars_free=document.chars_free, chars_paid=document.chars_paid,
            paid_from=0, blocks=0, created_by_id=author_id,
        )
        audit_record(action="library.version.republish_requested", actor=actor, subject=document,
                     data={"version": version.pk})
        _tell_staff(document, "重新上架申请")
        return version
