from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from fanwen.api.auth import current_user
from fanwen.search.selectors import search_documents
from fanwen.search.services import search_log
from fanwen.search.views import filters_from

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = ""
    page: int = 1
    category: str = ""
    price: str = ""
    length: str = ""
    sort: str = "relevance"


class HitOut(Schema):
    id: int
    title: str
    snippet: str
    category: str
    chars: int
    price_fen: int
    url: str


class SearchOut(Schema):
    total: int
    approximate: bool
    page: int
    has_next: bool
    notices: list[str]
    results: list[HitOut]


@router.get("/search", response=SearchOut, summary="搜索（标题与免费部分；摘要只取自免费部分）")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    filters, _ = filters_from(params.dict())
    result = search_documents(
        params.q, user=current_user(request), filters=filters, sort=params.sort, page=params.page
    )
    if result.page == 1:  # the first page only: paging through results is one search
        search_log(query=params.q, total=result.total)
    return {
        "total": result.total,
        "approximate": result.approximate,
        "page": result.page,
        "has_next": result.has_next,
        "notices": result.notices,
        "results": [
            {"id": h.id, "title": h.title, "snippet": str(h.snippet), "category": h.category, "chars": h.chars,
             "price_fen": h.price_fen, "url": f"/d/{h.id}/"}
            for h in result.results
        ],
    }
