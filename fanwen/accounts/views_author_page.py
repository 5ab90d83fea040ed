"""作者主页 /u/<username>/: an author's published documents, total reads and copies sold.

Only someone with at least one published document has a page: any other name is 404, so the
page tells nothing about accounts that have not published."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fanwen.commerce import selectors as commerce_selectors
from fanwen.library import selectors as library_selectors

PAGE_SIZE = 20


def author_page(request: HttpRequest, username: str) -> HttpResponse:
    author = get_user_model().objects.filter(username=username, is_active=True).first()
    if author is None:
        raise Http404("没有这位作者")
    documents = library_selectors.documents_by_author(author_id=author.pk)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.paginator.count == 0:
        raise Http404("这位作者还没有公开的文档")
    return render(
        request,
        "accounts/author.html",
        {
            "author": author,
            "page": page,
            "reads": library_selectors.author_reads(author_id=author.pk),
            "sales": commerce_selectors.author_sales_count(author_id=author.pk),
        },
    )
