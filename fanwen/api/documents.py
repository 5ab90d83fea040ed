from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from fanwen.access import fingerprints, gate
from fanwen.api.auth import current_user
from fanwen.api.schemas import CategoryWithCountOut, DocumentOut, DocumentPageOut, ErrorOut
from fanwen.api.serializers import document_full, document_summary
from fanwen.library import selectors
from fanwen.library.models import Category

router = Router(tags=["documents"])


class ListFilters(Schema):
    category: str | None = None
    page: int = 1
    page_size: int = 20


@router.get("/documents", response=DocumentPageOut, summary="文档列表")
def document_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    qs = selectors.documents_published().order_by("-created_at", "-id")
    if filters.category:
        category = Category.objects.filter(slug=filters.category).first()
        if category is None:
            return {"total": 0, "page": 1, "page_size": filters.page_size, "results": []}
        qs = qs.filter(category=category)
    size = min(max(filters.page_size, 1), 100)
    paginator = Paginator(qs, size)
    page = paginator.get_page(filters.page)
    return {
        "total": paginator.count,
        "page": page.number,
        "page_size": size,
        "results": [document_summary(d) for d in page.object_list],
    }


@router.get("/documents/{int:document_id}", response={200: DocumentOut, 404: ErrorOut}, summary="文档详情（按权限）")
def document_detail(request: HttpRequest, document_id: int) -> Any:
    user = current_user(request)
    document = gate.document_get_visible(document_id=document_id, user=user)
    if document is None:
        raise HttpError(404, "文档不存在")
    return document_full(fingerprints.marked_view(gate.gated_view(user, document), user))


@router.get("/categories", response=list[CategoryWithCountOut], summary="分类")
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "name": c.name, "slug": c.slug, "documents": c.doc_count}  # type: ignore[attr-defined]
        for c in selectors.categories_with_counts()
    ]
