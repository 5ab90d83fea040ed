"""The author studio for tools: upload a file as a document for review, list one's own.
The same checks and services as /studio/ (library.uploads, studio.services)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from fanwen.access import gate
from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.schemas import BlockOut, CategyOut, ErrorOut
from fanwen.api.serializers import category_dict
from fanwen.core import paywall
from fanwen.core.format import FormatError
from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.core.reader import SUPPORTED_SUFFIXES, read_bytes
from fanwen.library.models import Category, Document
from fanwen.library.uploads import (
    BUSY_MESSAGE,
    format_error_message,
    rate_limited_message,
    upload_slot,
    upload_wait_seconds,
)
from fanwen.studio import services

router = Router(tags=["studio"])
MAX_LISTED = 200


class StudioCharsOut(Schema):
    free: int
    paid: int
    total: int


class SectionsOut(Schema):
    free: int
    paid: int


class MyDocumentOut(Schema):
    id: int
    title: str
    status: str
    category: CategyOut | None
    tags: str
    price_fen: int
    chars: StudioCharsOut
    sections: SectionsOut
    created_at: datetime
    url: str


class UploadedDocumentOut(MyDocumentOut):
    unchanged: bool
    paid_from: int
    suggested_paid_from: int
    marked_paid_from: int | None
    blocks: list[BlockOut]


def my_document(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "status": document.status,
        "category": category_dict(document),
        "tags": document.tags,
        "price_fen": document.price_fen,
        "chars": {"free": document.chars_free, "paid": document.chars_paid, "total": document.chars_total},
        "sections": {"free": document.sections_free, "paid": document.sections_paid},
        "created_at": document.created_at,
        "url": document.get_absolute_url(),
    }


def _price_fen(price_yuan: str | None, price_fen: int | None) -> int | None:
    if price_yuan is not None and price_yuan.strip():
        try:
            fen = yuan_to_fen(price_yuan.strip())
        except BadAmount as exc:
            raise HttpError(400, "price_yuan 格式应为元，最多两位小数，如 5 或 5.50") from exc
        if price_fen is not None and price_fen != fen:
            raise HttpError(400, "price_yuan 与 price_fen 不一致：只给一个即可")
        return fen
    return price_fen


@router.post(
    "/me/documents",
    response={201: UploadedDocumentOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 429: ErrorOut,
              503: ErrorOut},
    summary="作者上传文档（进入待审核）",
    description="multipart/form-data：file（.txt .md .docx，必须上传；超过大小上限为 413）；title、category（分类的 slug）、tags、"
    "price_yuan 或 price_fen、paid_from（第一个付费段落的序号，从 0 起数，至少为 1；等于段落数时全部免费；"
    "不填则用文件中的付费标记，没有标记时用系统建议的位置）可选。返回文档（待审核）、全部段落与建议的分界位置。",
)
def document_upload(
    request: HttpRequest,
    file: File[UploadedFile | None] = None,
    title: Form[str | None] = None,
    category: Form[str | None] = None,
    tags: Form[str | None] = None,
    price_yuan: Form[str | None] = None,
    price_fen: Form[int | None] = None,
    paid_from: Form[int | None] = None,
) -> Status:
    user = require_user_for_write(request)
    # Optional in the signature so that an upload stopped for its size is a 413, not a missing field.
    if getattr(request, "fanwen_upload_too_large", False) or (file and (file.size or 0) > settings.FANWEN_MAX_DOCUMENT_BYTES):
        raise HttpError(413, f"文件过大：上限 {settings.FANWEN_MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    if file is None:
        raise HttpError(400, "缺少文件：用 multipart/form-data 的 file 字段上传 .txt、.md 或 .docx")
    name = file.name or ""
    if not name.lower().endswith(SUPPORTED_SUFFIXES):
        raise HttpError(400, "只支持 .txt、.md 和 .docx 文件")
    chosen = None
    if category:
        chosen = Category.objects.filter(slug=category[:60]).first()
        if chosen is None:
            raise HttpError(400, "分类不存在：请用 GET /api/v1/categories 中的 slug")
    fen = _price_fen(price_yuan, price_fen)
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
        details: dict[str, Any] = {"paid_from": paid_from, "title": title, "tags": tags, "price_fen": fen}
        if chosen is not None:
            details["category"] = chosen
        try:
            draft, result = services.draft_create_and_submit(
                author_id=user.pk, parsed=parsed, source_name=name, actor=user, **details
            )
        except services.DraftRefused as exc:
            raise HttpError(400, exc.message) from exc
    document = gate.document_get_visible(document_id=result.document_id, user=user)
    if document is None:  # the author's own document: always visible to them
        raise HttpError(404, "文档不存在")
    view = gate.gated_view(user, document)
    texts = [b.text for b in parsed.blocks]
    return Status(201, {
        **my_document(document),
        "unchanged": result.status == "unchanged",
        "paid_from": draft.paid_from,
        "suggested_paid_from": paywall.suggest_paid_from(texts),
        "marked_paid_from": paywall.marked_paid_from(parsed.blocks),
        "blocks": [{"text": b.text, "paid": b.paid, "kind": b.kind, "level": b.level} for b in view.blocks],
    })


@router.get("/me/documents", response={200: list[MyDocumentOut], 401: ErrorOut}, summary="我上传的文档")
def my_documents(request: HttpRequest) -> list[dict[str, Any]]:
    user = require_user(request)
    documents = Document.objects.filter(author_id=user.pk).select_related("category").order_by("-id")[:MAX_LISTED]
    return [my_document(d) for d in documents]
