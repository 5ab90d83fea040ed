"""Writes of the author studio: a draft from an uploaded file, its line and details, and
submitting it for review through the library's one import (``library.services.document_import``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanwen.audit.services import audit_record
from fanwen.core import format as fmt
from fanwen.core import paywall
from fanwen.library.models import Category, Document
from fanwen.library.services import MAX_PRICE_FEN, ImportRefused, ImportResult, document_import
from fanwen.studio.models import Draft

# A stored draft is read back without the upload's limits: it passed them when it came in.
_NO_LIMIT = 10**9


class DraftRefused(Exception):
    """A change to a draft that cannot be made; ``message`` is for the author, in Chinese."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(message)


def title_clean(raw: str) -> str:
    title = " ".join(fmt.strip_bidi(raw).split())[:200]
    if not title:
        raise DraftRefused("标题不能为空", field="title")
    if fmt.MARKER_RE.search(title):
        raise DraftRefused("标题不能含付费标记", field="title")
    return title


def tags_clean(raw: str) -> str:
    return " ".join(fmt.strip_bidi(raw).replace("，", " ").replace(",", " ").split())[:200]


def draft_create(*, author_id: int, parsed: fmt.Document, source_name: str = "") -> Draft:
    """Keep an uploaded file as a draft; the line starts where its markers put it, else where
    :func:`core.paywall.suggest_paid_from` suggests."""
    return Draft.objects.create(
        author_id=author_id,
        source_name=source_name[-500:],
        text=fmt.serialise(parsed),
        title=parsed.title[:200],
        paid_from=paywall.initial_paid_from(parsed),
    )


def draft_parsed(draft: Draft) -> fmt.Document:
    """The file as uploaded (markers as in the file)."""
    return fmt.parse_text(draft.text, max_blocks=_NO_LIMIT)


def draft_document(draft: Draft, parsed: fmt.Document | None = None) -> fmt.Document:
    """What submitting would store: the author's title, the blocks with the author's line."""
    parsed = parsed if parsed is not None else draft_parsed(draft)
    lined = paywall.with_paid_from(parsed, draft.paid_from)
    return fmt.Document(title=draft.title, blocks=lined.blocks)


def _draft_lock(*, draft_id: int, author_id: int) -> Draft:
    draft = Draft.objects.select_for_update().filter(pk=draft_id, author_id=author_id).first()
    if draft is None:
        raise DraftRefused("草稿不存在")
    if draft.status != Draft.Status.DRAFT:
        raise DraftRefused("这份草稿已提交审核，不能再修改")
    return draft


def draft_save(*, draft_id: int, author_id: int, **changes: Any) -> Draft:
    """Change any of paid_from, title, category (a Category or None), tags, price_fen."""
    unknown = set(changes) - {"paid_from", "title", "category", "tags", "price_fen"}
    if unknown:
        raise DraftRefused(f"不能修改：{', '.join(sorted(unknown))}")
    if "title" in changes:
        changes["title"] = title_clean(changes["title"])
    if "tags" in changes:
        changes["tags"] = tags_clean(changes["tags"])
    price = changes.get("price_fen")
    if price is not None and not 0 < price <= MAX_PRICE_FEN:
        raise DraftRefused(f"价格须在 0.01 到 {MAX_PRICE_FEN // 100} 元之间", field="price")
    if "category" in changes and changes["category"] is not None and not isinstance(changes["category"], Category):
        raise DraftRefused("分类不存在", field="category")
    with transaction.atomic():
        draft = _draft_lock(draft_id=draft_id, author_id=author_id)
        if "paid_from" in changes:
            blocks = len(draft_parsed(draft).blocks)
            if not 0 < changes["paid_from"] <= blocks:
                raise DraftRefused(f"分界线位置应在第 1 到第 {blocks} 段之后")
        for name, value in changes.items():
            setattr(draft, name, value)
        draft.save(update_fields=[*changes, "updated_at"])
        return draft


def draft_discard(*, draft_id: int, author_id: int) -> None:
    """The author throws a draft away (a submitted one stays, as the record of the upload)."""
    with transaction.atomic():
        draft = _draft_lock(draft_id=draft_id, author_id=author_id)
        draft.delete()


def draft_submit(*, draft_id: int, author_id: int, actor: Any = None) -> ImportResult:
    """Store the draft as a document waiting for review (待审核), as an upload does; once."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft_id, author_id=author_id).first()
        if draft is None:
            raise DraftRefused("草稿不存在")
        if draft.status == Draft.Status.SUBMITTED and draft.document_id is not None:
            return ImportResult("unchanged", draft.document_id)
        document = draft_document(draft)
        if document.has_paid and draft.price_fen is None:
            raise DraftRefused("含付费部分的文档需要填写价格", field="price")
        try:
            result = document_import(
                parsed=document,
                price_fen=draft.price_fen if document.has_paid else None,
                category_name=draft.category.name if draft.category else None,
                author_id=author_id,
                source_name=draft.source_name,
                tags=draft.tags,
                status=Document.Status.PENDING,
            )
        except ImportRefused as exc:
            raise DraftRefused(f"无法提交：{exc.reason}") from exc
        Draft.objects.filter(pk=draft.pk).update(status=Draft.Status.SUBMITTED, document_id=result.document_id)
        audit_record(action="studio.draft.submitted", actor=actor, subject=draft,
                     data={"document": result.document_id, "status": result.status, "paid_from": draft.paid_from})
        return result


def draft_create_and_submit(
    *, author_id: int, parsed: fmt.Document, source_name: str, actor: Any = None, **details: Any
) -> tuple[Draft, ImportResult]:
    """For tools (the API): a draft with the given details (paid_from, title, category, tags,
    price_fen; the suggestion or the markers when no paid_from), submitted at once.  All or nothing."""
    details = {k: v for k, v in details.items() if v is not None}
    with transaction.atomic():
        draft = draft_create(author_id=author_id, parsed=parsed, source_name=source_name)
        if details:
            draft = draft_save(draft_id=draft.pk, author_id=author_id, **details)
        result = draft_submit(draft_id=draft.pk, author_id=author_id, actor=actor)
        draft.refresh_from_db()
        return draft, result
