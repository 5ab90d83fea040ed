"""举报, 收藏, 评价 and the staff report queue in the API.  Thin: parse, call community services."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.schemas import ErrorOut
from fanwen.community import selectors, services, services_reports
from fanwen.community.errors import CommunityError
from fanwen.community.models import Report

router = Router(tags=["community"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class ReportIn(Schema):
    reason: Literal["infringement", "violation", "quality", "category", "other"] = Field(
        ..., description="侵权 infringement、违规内容 violation、质量差 quality、分类错误 category、其他 other")
    note: str = Field("", max_length=500, description="说明；reason 为 other 时必填")


class ReportOut(Schema):
    id: int
    document_id: int
    review_id: int | None
    reason: str
    note: str
    status: str
    outcome: str
    resolution: str
    created_at: datetime
    resolved_at: datetime | None


class StaffReportOut(ReportOut):
    reporter: str | None
    contact_name: str
    contact_email: str
    contact_phone: str
    work: str
    document_title: str
    document_open_reports: int
    flagged: bool


class FavoriteOut(Schema):
    document_id: int
    favorite: bool


class ReviewIn(Schema):
    stars: int = Field(..., ge=1, le=5, description="1–5 星")
    text: str = Field("", max_length=300, description="短评，纯文字，最多 300 字")


class ReviewOut(Schema):
    id: int
    document_id: int
    stars: int
    text: str
    hidden: bool
    updated_at: datetime
    rating_count: int
    rating_average: float


class ResolveIn(Schema):
    action: Literal["dismiss", "unpublish", "takedown"]
    reason: str = Field("", max_length=400, description="处理说明；takedown 时必填（买家可见）")


class ResolveOut(Schema):
    closed: list[int]


def _fail(exc: CommunityError) -> HttpError:
    return HttpError(exc.status, exc.message)


def report_dict(report: Report) -> dict[str, Any]:
    return {"id": report.pk, "document_id": report.document_id, "review_id": report.review_id,
            "reason": report.reason, "note": report.note, "status": report.status, "outcome": report.outcome,
            "resolution": report.resolution, "created_at": report.created_at, "resolved_at": report.resolved_at}


def _staff(request: HttpRequest) -> Any:
    user = require_user(request) if request.method == "GET" else require_user_for_write(request)
    if not user.is_staff:
        raise HttpError(403, "仅管理员可以处理举报")
    return user


@router.post("/documents/{int:document_id}/report", response={201: ReportOut, **ERRORS}, summary="举报文档（需登录；同一文档处理前只能举报一次）")
def report_create(request: HttpRequest, document_id: int, payload: ReportIn) -> Any:
    user = require_user_for_write(request)
    try:
        report = services_reports.report_create(user=user, document_id=document_id, reason=payload.reason,
                                                note=payload.note)
    except CommunityError as exc:
        raise _fail(exc) from exc
    return Status(201, report_dict(report))


@router.post("/me/favorites/{int:document_id}", response={200: FavoriteOut, **ERRORS}, summary="收藏文档")
def favorite_add(request: HttpRequest, document_id: int) -> Any:
    user = require_user_for_write(request)
    try:
        services.favorite_add(user=user, document_id=document_id)
    except CommunityError as exc:
        raise _fail(exc) from exc
    return {"document_id": document_id, "favorite": True}


@router.delete("/me/favorites/{int:document_id}", response={200: FavoriteOut, **ERRORS}, summary="取消收藏")
def favorite_remove(request: HttpRequest, document_id: int) -> Any:
    user = require_user_for_write(request)
    services.favorite_remove(user=user, document_id=document_id)
    return {"document_id": document_id, "favorite": False}


@router.post("/documents/{int:document_id}/review", response={200: ReviewOut, **ERRORS}, summary="评分与短评（仅买家或会员；每人每文档一条，可修改）")
def review_save(request: HttpRequest, document_id: int, payload: ReviewIn) -> Any:
    user = require_user_for_write(request)
    try:
        review, _ = services.review_save(user=user, document_id=document_id, stars=payload.stars, text=payload.text)
    except CommunityError as exc:
        raise _fail(exc) from exc
    rating = selectors.rating_of(document_id)
    return {"id": review.pk, "document_id": document_id, "stars": review.stars, "text": review.text,
            "hidden": review.hidden, "updated_at": review.updated_at,
            "rating_count": rating.count if rating else 0, "rating_average": rating.average if rating else 0.0}


@router.get("/staff/reports", response={200: list[StaffReportOut], **ERRORS}, summary="举报队列（仅管理员）")
def staff_reports(request: HttpRequest, status: Literal["open", "resolved", "all"] = "open") -> Any:
    _staff(request)
    threshold = selectors.flag_threshold()
    return [
        {**report_dict(r), "reporter": r.reporter.username if r.reporter else None, "contact_name": r.contact_name,
         "contact_email": r.contact_email, "contact_phone": r.contact_phone, "work": r.work,
         "document_title": r.document.title, "document_open_reports": n, "flagged": n >= threshold}
        for r, n in selectors.report_queue(status=status)
    ]


@router.post("/staff/reports/{int:report_id}/resolve", response={200: ResolveOut, **ERRORS}, summary="处理举报（仅管理员）：驳回、下架或侵权下架并退款")
def staff_resolve(request: HttpRequest, report_id: int, payload: ResolveIn) -> Any:
    staff = _staff(request)
    try:
        closed = services_reports.report_resolve(report_id=report_id, action=payload.action, reason=payload.reason,
                                                 actor=staff)
    except CommunityError as exc:
        raise _fail(exc) from exc
    return {"closed": closed}
