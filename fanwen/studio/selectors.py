"""Reads of the author studio: an author's own drafts, and the price hint per category."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from fanwen.library.models import Category, Document
from fanwen.studio.models import Draft

MEDIAN_CACHE_SECONDS = 600
MEDIAN_CACHE_KEY = "studio:category-price-medians"


def drafts_open(*, author_id: int) -> QuerySet[Draft]:
    return Draft.objects.filter(author_id=author_id, status=Draft.Status.DRAFT).order_by("-updated_at", "-id")


def draft_get_own(*, draft_id: int, author_id: int) -> Draft | None:
    """The author's own draft, else None (another author's draft does not exist for them)."""
    if not 0 < draft_id < 2**63:
        return None
    return Draft.objects.select_related("category").filter(pk=draft_id, author_id=author_id).first()


def category_price_median(*, category_id: int) -> tuple[int, int] | None:
    """(median price in fen, number of documents) of the published paid documents of a category;
    the median of an even count is the lower middle one (a price someone actually asks)."""
    prices = Document.objects.filter(
        category_id=category_id, status=Document.Status.PUBLISHED, chars_paid__gt=0
    ).order_by("price_fen").values_list("price_fen", flat=True)
    count = prices.count()
    if not count:
        return None
    return prices[(count - 1) // 2], count


def category_price_medians() -> dict[int, tuple[int, int]]:
    """For every category with paid documents; kept in the cache for ten minutes."""
    medians = cache.get(MEDIAN_CACHE_KEY)
    if medians is None:
        medians = {}
        for category_id in Category.objects.values_list("pk", flat=True):
            found = category_price_median(category_id=category_id)
            if found is not None:
                medians[category_id] = found
        cache.set(MEDIAN_CACHE_KEY, medians, MEDIAN_CACHE_SECONDS)
    return medians
