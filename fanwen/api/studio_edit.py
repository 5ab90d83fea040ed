"""An author's changes to their own documents, for tools: details at once (PATCH), a new text or
paywall line as a version for review (POST …/versions, or paid_from in the PATCH), the history.
The same services as the studio's document page (studio.edits, library.versions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.schemas import ErrorOut
from fanwen.api.studio import MyDocumentOut, StudioCharsOut, _price_fen, my_document
from fanwen.core import format as fmt
from fanwen.core import paywall
from fanwen.core.format import FormatError
from fanwen.core.reader import SUPPORTED_SUFFIXES, read_bytes
from fanwen.library import versions
from fanwen.library.models import Category, Document, DocumentVersion
from fanwen.library.selectors import document_live_number, document_versions
from fanwen.library.services import DocumentChangeRefused
from fanwen.library.uploads import (
    BUSY_MESSAGE,
    format_error_message,
    rate_limited_message,
    upload_slot,
    upload_wait_seconds,
)
from fanwen.studio import edits
from fanwen.studio.services import DraftRefused

router = Router(tags=["studio"])


class VersionOut(Schema):
    id: int
    number: int | None
    kind: str
    status: str
    chars: StudioCharsOut
    paid_from: int
    blocks: int
    created_at: datetime
    decided_at: datetime | None
    reason: str


class EditedDocumentOut(MyDocumentOut):
    version: int
    pending_version: VersionOut | None


class DocumentPatchIn(Schema):
    title: str | None = None
    category: str | None = None
    tags: str | None = None
    price_yuan: str | None = None
    price_fen: int | None = None
    paid_from: int | None = None


def version_dict(v: DocumentVersion) -> dict[str, Any]:
    return {"id": v.pk, "number": v.number, "kind": v.kind, "status": v.status, "paid_from": v.paid_from,
            "chars": {"free": v.chars_free, "paid": v.chars_paid, "total": v.chars_total}, "blocks": v.blocks,
            "created_at": v.created_at, "decided_at": v.decided_at, "reason": v.reason}


def _edited(document: Document) -> dict[str, Any]:
    document.refresh_from_db()
    pending = document_versions(document_id=document.pk).filter(status=DocumentVersion.Status.PENDING).first()
    return {**my_document(document), "version": document_live_number(document_id=document.pk),
            "pending_version": version_dict(pending) if pending else None}


def _own(request: HttpRequest, document_id: int, *, write: bool) -> tuple[Any, Document]:
    user = require_user_for_write(request) if write else require_user(request)
    document = edits.document_get_own(document_id=document_id, author_id=user.pk)
    if document is None:
        raise HttpError(404, "文档不存在")
    return user, document


def _lined(parsed: fmt.Document, paid_from: int | None) -> fmt.Document:
    if paid_from is None:
        return paywall.with_paid_from(parsed, paywall.initial_paid_from(parsed)) if parsed.blocks else parsed
    if not 0 < paid_from <= len(parsed.blocks):
        raise HttpError(400, f"paid_from 应在 1 到 {len(parsed.blocks)} 之间")
    return paywall.with_paid_from(parsed, paid_from)


def _submit(user: Any, document: Document, parsed: fmt.Document, source_name: str, price_fen: int | None) -> Any:
    try:
        return versions.version_submit(document_id=document.pk, author_id=user.pk, parsed=parsed,
                                       source_name=source_name, price_fen=price_fen, actor=user)
    except DocumentChangeRefused as exc:
        raise HttpError(400, exc.message) from exc


@router.patch(
    "/me/documents/{document_id}",
    response={200: EditedDocumentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="修改我上传的文档",
    description="JSON：title、category（分类的 slug）、tags、price_yuan 或 price_fen 立即生效；paid_from（第一个付费段落的"
    "序号，从 0 起数，至少为 1）移动付费分界线，生成待审核的新版本，审核通过前线上仍是当前版本。",
)
def document_patch(request: HttpRequest, document_id: int, body: DocumentPatchIn) -> dict[str, Any]:
    user, document = _own(request, document_id, write=True)
    category: Any = edits.UNSET
    if body.category is not None:
        category = Category.objects.filter(slug=body.category[:60]).first() if body.category else None
        if body.category and category is None:
            raise HttpError(400, "分类不存在：请用 GET /api/v1/categories 中的 slug")
    price = _price_fen(body.price_yuan, body.price_fen)
    try:
        edits.document_edit_details(document_id=document.pk, author_id=user.pk, actor=user, title=body.title,
                                    category=category, tags=body.tags, price_fen=price)
    except DraftRefused as exc:
        raise HttpError(400, exc.message) from exc
    if body.paid_from is not None:
        if document.status not in versions.EDITABLE:
            raise HttpError(400, "这篇文档还在审核中，通过后才能移动分界线")
        lined = _lined(versions.live_parsed(document), body.paid_from)
        try:
            versions.version_submit(document_id=document.pk, author_id=user.pk, parsed=lined, actor=user)
        except versions.VersionUnchanged:
            pass
        except DocumentChangeRefused as exc:
            raise HttpError(400, exc.message) from exc
    return _edited(document)


@router.post(
    "/me/documents/{document_id}/versions",
    response={201: VersionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut,
              429: ErrorOut, 503: ErrorOut},
    summary="提交文档的新版本（待审核）",
    description="multipart/form-data：file（新文件，可选）和/或 paid_from（第一个付费段落的序号，从 0 起数，至少为 1）；"
    "只给 paid_from 时移动当前正文的分界线。新版本进入审核，通过前线上仍是当前版本；已购买的读者在新版本上线后仍可阅读全文。"
    "price_yuan 或 price_fen：原本免费的文档加入付费部分时必填。",
)
def version_create(
    request: HttpRequest,
    document_id: int,
    file: File[UploadedFile | None] = None,
    paid_from: Form[int | None] = None,
    price_yuan: Form[str | None] = None,
    price_fen: Form[int | None] = None,
) -> Status:
    user, document = _own(request, document_id, write=True)
    if getattr(request, "fanwen_upload_too_large", False) or (file and (file.size or 0) > settings.FANWEN_MAX_DOCUMENT_BYTES):
        raise HttpError(413, f"文件过大：上限 {settings.FANWEN_MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    if file is None and paid_from is None:
        raise HttpError(400, "请上传新文件（file）或给出新的分界线位置（paid_from）")
    if document.status not in versions.EDITABLE:
        raise HttpError(400, "这篇文档在审核中或已侵权下架，不能提交新版本")
    fen = _price_fen(price_yuan, price_fen)
    if file is None:
        version = _submit(user, document, _lined(versions.live_parsed(document), paid_from), "", fen)
        return Status(201, version_dict(version))
    name = file.name or ""
    if not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise HttpError(400, "只支持 .txt、.md 和 .docx 文件")
    with upload_slot() as free:
        if not free:
            raise HttpError(503, BUSY_MESSAGE)
        wait = upload_wait_seconds(user_id=user.pk)
        if wait:
            raise HttpError(429, rate_limited_message(wait))
        try:
            parsed = read_bytes(file.read(), name=name, max_blocks=settings.FANWEN_MAX_BLOCKS)
        except FormatError as exc:
            raise HttpError(400, format_error_message(exc)) from exc
        version = _submit(user, document, _lined(parsed, paid_from), name, fen)
    return Status(201, version_dict(version))


@router.get("/me/documents/{document_id}/versions", response={200: list[VersionOut], 401: ErrorOut, 404: ErrorOut},
            summary="我上传的文档的版本记录")
def version_list(request: HttpRequest, document_id: int) -> list[dict[str, Any]]:
    _, document = _own(request, document_id, write=False)
    return [version_dict(v) for v in document_versions(document_id=document.pk)[:100]]
