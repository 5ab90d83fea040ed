"""RSS/Atom feeds of new documents: titles and the free summary only (never paid text)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from fanwen.library import selectors
from fanwen.library.models import Category, Document
from fanwen.web.site_url import absolute_url

FEED_SIZE = 30


class NewDocumentsFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    title = f"{settings.SITE_NAME} · 最新文档"
    description = "范文库新上架的文档（免费试读部分）"

    def get_feed(self, obj: object, request: HttpRequest) -> SyndicationFeed:
        # Every URL on FANWEN_SITE_URL, never on the request's Host header.
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = absolute_url(request.path)
        return feed

    def link(self) -> str:
        return absolute_url("/")

    def items(self) -> list[Document]:
        return selectors.documents_newest(limit=FEED_SIZE)

    def item_title(self, item: Document) -> str:
        return item.title

    def item_description(self, item: Document) -> str:
        # summary is built from free blocks at import time (library.services.summary_of).
        price = f"¥{item.price_yuan} 解锁全文" if item.has_paid else "免费"
        return f"{item.summary}…（共 {item.chars_total} 字，{price}）"

    def item_link(self, item: Document) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Document):  # type: ignore[no-untyped-def]
        return item.created_at

    def item_categories(self, item: Document) -> list[str]:
        return [item.category.name] if item.category else []


class NewDocumentsAtomFeed(NewDocumentsFeed):
    feed_type = Atom1Feed
    subtitle = NewDocumentsFeed.description


class CategoryFeed(NewDocumentsFeed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Category:  # type: ignore[override]
        return get_object_or_404(Category, slug=slug)

    def title(self, obj: Category) -> str:  # type: ignore[override]
        return f"{settings.SITE_NAME} · {obj.name}"

    def link(self, obj: Category) -> str:  # type: ignore[override]
        return absolute_url(f"/c/{obj.slug}/")

    def items(self, obj: Category) -> list[Document]:  # type: ignore[override]
        return list(selectors.documents_in_category(category=obj)[:FEED_SIZE])
