from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap

from fanwen.library import selectors
from fanwen.library.models import Category, Document
from fanwen.web.site_url import site_domain, site_scheme


class SiteUrlSitemap(Sitemap):
    """Locations on FANWEN_SITE_URL, never on the request's Host header."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return site_scheme()

    def get_domain(self, site: object = None) -> str:
        return site_domain()


class DocumentSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):  # type: ignore[no-untyped-def]
        return selectors.documents_published().select_related(None).order_by("id").only("id", "updated_at")

    def lastmod(self, item: Document) -> datetime:
        return item.updated_at


class CategorySitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):  # type: ignore[no-untyped-def]
        return Category.objects.filter(documents__status=Document.Status.PUBLISHED).distinct().order_by("id")

    def location(self, item: Category) -> str:
        return f"/c/{item.slug}/"


class StaticSitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["/"]

    def location(self, item: str) -> str:
        return item


SITEMAPS = {"static": StaticSitemap, "categories": CategorySitemap, "documents": DocumentSitemap}
