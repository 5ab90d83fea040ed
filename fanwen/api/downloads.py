"""GET /api/v1/documents/{id}/download?format=docx: the whole document as a file, for readers
entitled to it (Bearer token or session).  401 anonymous, 403 not entitled, 404 unknown or not
visible, 429 over the daily cap; never a file otherwise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from fanwen.access import gate
from fanwen.access.delivery import deliver
from fanwen.access.download_slot import DownloadsBusy, render_slot
from fanwen.access.errors import AccessError
from fanwen.access.http import file_response
from fanwen.api.auth import require_user
from fanwen.api.busy import busy_response
from fanwen.api.schemas import ErrorOut

router = Router(tags=["downloads"])


@router.get(
    "/documents/{int:document_id}/download",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut, 503: ErrorOut},
    summary="下载全文（Word；有全文权限的读者）",
    description="返回附件（.docx）。未登录 401，未购买 403，文档不存在 404，超过每日下载次数 429，"
    "PDF 生成繁忙 503（带 Retry-After，稍后重试）。",
)
def document_download(request: HttpRequest, document_id: int, format: str = "docx") -> HttpResponse:
    user = require_user(request)
    document = gate.document_get_visible(document_id=document_id, user=user)
    if document is None:
        raise HttpError(404, "文档不存在")
    try:
        with render_slot(user=user, document=document, fmt=format):
            return file_response(deliver(user=user, document=document, fmt=format))
    except DownloadsBusy as exc:
        return busy_response(exc)
    except AccessError as exc:
        raise HttpError(exc.status, exc.message) from exc
