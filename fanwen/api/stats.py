"""GET /api/v1/me/stats?days=30: the signed-in author's dashboard numbers (the same as
/studio/stats/): totals, every day of the period, and the 50 documents with most net earnings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from fanwen.api.auth import require_user
from fanwen.api.schemas import ErrorOut
from fanwen.stats import selectors

router = Router(tags=["stats"])


def _numbers(n: selectors.Numbers) -> dict[str, Any]:
    return {"reads": n.reads, "paywall_views": n.paywall_views, "sales": n.sales, "sales_fen": n.sales_fen,
            "refunds": n.refunds, "refunds_fen": n.refunds_fen, "net_fen": n.net_fen, "conversion": n.conversion}


@router.get(
    "/me/stats",
    response={200: dict[str, Any], 401: ErrorOut, 404: ErrorOut},
    summary="作者数据（阅读、付费墙展示、销售、退款、净收益、转化率）",
    description="days 为 7、30 或 365（其他值按 30）；document_id 只看自己的一篇文档（别人的文档 404）。金额单位为分。",
)
def my_stats(request: HttpRequest, days: int = 30, document_id: int | None = None) -> dict[str, Any]:
    user = require_user(request)
    days = selectors.period_days(str(days))
    if document_id is not None:
        overview = selectors.document_overview(author_id=user.pk, document_id=document_id, days=days)
        if overview is None:
            raise HttpError(404, "文档不存在")
        documents = []
    else:
        overview = selectors.author_overview(author_id=user.pk, days=days)
        stored = None
        if selectors.author_document_count(author_id=user.pk) > selectors.LIVE_DOCUMENTS_MAX:
            stored = selectors.documents_stored(author_id=user.pk, days=days)
        rows = (selectors.document_rows(stored[0][:50]) if stored
                else selectors.documents_live(author_id=user.pk, days=days)[:50])
        documents = [{"document_id": d.document_id, "title": d.title, **_numbers(d)} for d in rows]
    return {
        "days": days,
        "start": overview.start.isoformat(),
        "end": overview.end.isoformat(),
        "totals": _numbers(overview.totals),
        "series": [{"day": r.day.isoformat(), **_numbers(r)} for r in overview.series],
        "documents": documents,
    }
