"""填写模板 in the API, for readers entitled to the whole document (Bearer token or session):
GET /api/v1/documents/{id}/placeholders and POST /api/v1/documents/{id}/fill (the filled file).
401 anonymous, 403 not entitled, 404 unknown or not visible, 422 bad values, 429 over the cap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from fanwen.access import fill as access_fill
from fanwen.access import gate
from fanwen.access.download_slot import DownloadsBusy, render_slot
from fanwen.access.errors import AccessError
from fanwen.access.http import file_response
from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.busy import busy_response
from fanwen.api.schemas import ErrorOut
from fanwen.library.models import Document

router = Router(tags=["fill"])


class PlaceholderOut(Schema):
    text: str
    label: str
    context: str
    count: int


class FillIn(Schema):
    values: dict[str, str]
    format: str = "docx"


class FillErrorOut(Schema):
    detail: str
    errors: dict[str, str]


def _visible(request: HttpRequest, document_id: int, *, write: bool = False) -> tuple[object, Document]:
    user = require_user_for_write(request) if write else require_user(request)
    document = gate.document_get_visible(document_id=document_id, user=user)
    if document is None:
        raise HttpError(404, "文档不存在")
    return user, document


@router.get(
    "/documents/{int:document_id}/placeholders",
    response={200: list[PlaceholderOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="文档中的占位符（填写模板；有全文权限的读者）",
)
def document_placeholders(request: HttpRequest, document_id: int) -> list[PlaceholderOut]:
    user, document = _visible(request, document_id)
    try:
        form = access_fill.fill_form(user=user, document=document)
    except AccessError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return [PlaceholderOut(text=p.text, label=p.label, context=p.context, count=p.count) for p in form.placeholders]


@router.post(
    "/documents/{int:document_id}/fill",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FillErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="填写占位符并下载（Word / PDF；有全文权限的读者）",
    description='请求体 {"values": {"X大学": "清华大学"}, "format": "docx"}。内容有误时 422，errors 按占位符给出原因。',
)
def document_fill(request: HttpRequest, document_id: int, payload: FillIn) -> HttpResponse | Status:
    user, document = _visible(request, document_id, write=True)
    try:
        with render_slot(user=user, document=document, fmt=payload.format):
            return file_response(
                access_fill.fill_and_deliver(user=user, document=document, fmt=payload.format, raw=payload.values)
            )
    except DownloadsBusy as exc:
        return busy_response(exc)
    except access_fill.FillValuesInvalid as exc:
        return Status(422, {"detail": exc.message, "errors": exc.errors})
    except AccessError as exc:
        raise HttpError(exc.status, exc.message) from exc

