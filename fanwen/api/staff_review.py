"""The review queue in the API, for staff: pending documents and their near-duplicates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from fanwen.api.auth import require_user
from fanwen.api.orders import ERRORS
from fanwen.moderation import selectors

router = Router(tags=["staff"])


class ReviewItemOut(Schema):
    id: int
    title: str
    author: str | None
    price_fen: int
    chars_free: int
    chars_paid: int
    created_at: datetime
    top_similarity: float | None


class SimilarOut(Schema):
    id: int
    title: str
    status: str
    similarity: float
    percent: int


def _staff(request: HttpRequest) -> Any:
    user = require_user(request)
    if not user.is_staff:
        raise HttpError(403, "仅管理员可以查看审核队列")
    return user


@router.get("/staff/review", response={200: list[ReviewItemOut], **ERRORS}, summary="待审核文档（仅管理员）")
def staff_review(request: HttpRequest) -> Any:
    _staff(request)
    return [{"id": d.pk, "title": d.title, "author": d.author.username if d.author else None,
             "price_fen": d.price_fen, "chars_free": d.chars_free, "chars_paid": d.chars_paid,
             "created_at": d.created_at, "top_similarity": getattr(d, "top_similarity", None)} for d in selectors.review_queue()]


@router.get("/staff/documents/{int:document_id}/similar", response={200: list[SimilarOut], **ERRORS},
            summary="文档的疑似重复及相似度（仅管理员）")
def staff_similar(request: HttpRequest, document_id: int) -> Any:
    _staff(request)
    if not 0 < document_id < 2**63:
        raise HttpError(404, "文档不存在")
    return [{"id": m.other_id, "title": m.other.title, "status": m.other.status, "similarity": round(m.similarity, 4),
             "percent": m.percent} for m in selectors.matches_of(document_id=document_id)]
