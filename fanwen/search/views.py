from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from fanwen.library import selectors as library_selectors
from fanwen.library.models import Category
from fanwen.search.engine import NO_CATEGORY, Filters
from fanwen.search.selectors import search_documents
from fanwen.search.services import search_log

LENGTHS = {"short": (0, 1500), "medium": (1500, 4000), "long": (4000, None)}


def filters_from(params: dict[str, str]) -> tuple[Filters, Category | None]:
    category = None
    slug = params.get("category", "")
    if slug:
        category = Category.objects.filter(slug=slug[:60]).first()
    paid = {"paid": True, "free": False}.get(params.get("price", ""))
    lo, hi = LENGTHS.get(params.get("length", ""), (None, None))
    category_id = category.pk if category else (NO_CATEGORY if slug else None)
    return Filters(category_id=category_id, paid=paid, min_chars=lo, max_chars=hi), category


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "") for k in ("q", "category", "price", "length", "sort")}
    filters, category = filters_from(params)
    result = search_documents(
        params["q"], user=request.user, filters=filters, sort=params["sort"] or "relevance", page=_int(request.GET.get("page"))
    )
    if result.page == 1:  # the first page only: paging through results is one search
        search_log(query=params["q"], total=result.total)
    return render(
        request,
        "search/results.html",
        {
            "result": result, "query": result.query, "params": params, "category": category,
            "categories": library_selectors.categories_with_counts(),
        },
    )
