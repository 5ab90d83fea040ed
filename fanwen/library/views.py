"""Reader pages.  Thin: parse the request, call selectors and the gate, render."""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from fanwen.access import fingerprints, gate
from fanwen.community import services as community_services
from fanwen.library import selectors, services, view_counts
from fanwen.library.models import Category, Document
from fanwen.library.page_cache import anonymous_page_get, anonymous_page_set
from fanwen.search.selectors import related_documents
from fanwen.web.caching import vary_on_access


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "library/home.html",
        {
            "newest": selectors.documents_newest(limit=12),
            "most_read": selectors.documents_most_read(limit=8),
            "categories": selectors.categories_with_counts(),
        },
    )


@require_safe
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    paginator = Paginator(selectors.documents_in_category(category=category), settings.FANWEN_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "library/category.html",
        {"category": category, "page": page, "categories": selectors.categories_with_counts()},
    )


@require_safe
@vary_on_access
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    anonymous = is_plain_anonymous(request)
    if anonymous:
        cached = anonymous_page_get(document_id)
        if cached is not None:
            if request.method == "GET":
                view_counts.document_count_view(document_id=document_id, paywall=view_counts.PAYWALL_IF_PAID)
            return HttpResponse(cached)
    document = gate.document_get_visible(document_id=document_id, user=request.user)
    if document is None:
        raise Http404("文档不存在")
    anonymous = anonymous and document.status == Document.Status.PUBLISHED  # never cache any other
    view = gate.gated_view(request.user, document)
    if view.access and not anonymous:  # never on a page that may be cached for anonymous readers
        view = fingerprints.marked_view(view, request.user)
    if request.method == "GET":
        view_counts.document_count_view(document_id=document.pk, paywall=not view.access)
        if request.user.is_authenticated:  # 最近阅读 (cheap: nothing when read in the last minutes)
            community_services.history_record(user_id=request.user.pk, document_id=document.pk)
    # Entitled: the free and paid runs in document order.  Others: the gate's opening, the
    # paywall card, then the free ending (the template).
    runs = [(paid, list(group)) for paid, group in groupby(view.blocks, key=lambda b: b.paid)] if view.access else []
    related = related_documents(document_id=document.pk, title=document.title)
    response = render(
        request, "library/document.html", {"doc": document, "view": view, "runs": runs, "related": related}
    )
    response.fanwen_access = view.access  # type: ignore[attr-defined]
    if anonymous:
        # Only pages rendered for an anonymous reader are cached, and only served to one.
        anonymous_page_set(document.pk, response.content)
        # Unpublished while this page was rendered?  Its status change cleared the cache before
        # our write: clear it again.  Read after the write, so no stale page can outlive the change.
        if not selectors.document_is_published(document_id=document.pk, content_hash=document.content_hash):
            services.document_page_cache_clear(document_id=document.pk)
    return response


def is_plain_anonymous(request: HttpRequest) -> bool:
    """No user, no token, no pending flash message: the page is the same for every such reader."""
    return (
        not request.user.is_authenticated
        and "HTTP_AUTHORIZATION" not in request.META
        and "messages" not in request.COOKIES
    )
