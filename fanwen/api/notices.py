"""站内信 over the API: the reader's own notices and marking them read."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.schemas import ErrorOut
from fanwen.notices import selectors, services

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


class NoticesOut(Schema):
    unread: int
    notices: list[NoticeOut]


class MarkReadIn(Schema):
    ids: list[int] | None = None


class MarkedOut(Schema):
    marked: int


@router.get("/me/notices", response={200: NoticesOut, 401: ErrorOut}, summary="我的消息（最新 50 条）")
def my_notices(request: HttpRequest) -> NoticesOut:
    user = require_user(request)
    notices = [
        NoticeOut(id=n.pk, kind=n.kind, title=n.title, body=n.body, link=n.link, created_at=n.created_at,
                  read=n.read_at is not None)
        for n in selectors.notices_for(user_id=user.pk)
    ]
    return NoticesOut(unread=selectors.unread_count(user_id=user.pk), notices=notices)


@router.post("/me/notices/read", response={200: MarkedOut, 401: ErrorOut, 403: ErrorOut}, summary="标为已读")
def mark_read(request: HttpRequest, body: MarkReadIn) -> MarkedOut:
    user = require_user_for_write(request)
    ids = [i for i in body.ids if 0 < i < 2**63][:500] if body.ids is not None else None
    return MarkedOut(marked=services.notices_mark_read(user_id=user.pk, notice_ids=ids))
