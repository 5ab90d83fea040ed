"""Readers' reads: rating tallies for lists, reviews as a given reader may see them, 收藏 and
最近阅读, and the staff report queue.  A review's text reaches a reader who may not read the
whole document only when it was checked clean against the current version's paid part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count

from fanwen.access import gate
from fanwen.community.models import DocumentRating, Favorite, ReadingHistory, Report, Review
from fanwen.community.services import review_recheck
from fanwen.library.models import Category, Document

WITHHELD = "（评价含付费内容，购买后可见）"


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float

    @property
    def stars_text(self) -> str:
        full = int(self.average + 0.5)
        return "★" * full + "☆" * (5 - full)


def rating_summaries(document_ids: list[int]) -> dict[int, RatingSummary]:
    """One query for a whole list of cards."""
    if not document_ids:
        return {}
    rows = DocumentRating.objects.filter(document_id__in=document_ids, rating_count__gt=0)
    return {r.document_id: RatingSummary(r.rating_count, r.average) for r in rows}


def rating_of(document_id: int) -> RatingSummary | None:
    return rating_summaries([document_id]).get(document_id)


@dataclass(frozen=True)
class ShownReview:
    id: int
    username: str
    stars: int
    text: str
    withheld: bool
    updated_at: datetime
    mine: bool
    hidden: bool


def reviews_for(*, document: Document, user: Any, entitled: bool, staff: bool = False, limit: int = 50) -> list[ShownReview]:
    """Visible reviews, newest first (staff also see hidden ones, marked).  FAIL CLOSED: for a
    reader who may not read the full document, a review that quotes the paid part — or was
    checked against another version — shows WITHHELD instead of its text."""
    qs = Review.objects.filter(document_id=document.pk).select_related("user")
    if not staff:
        qs = qs.filter(hidden=False)
    reviews = list(qs.order_by("-updated_at", "-id")[:limit])
    if not entitled:
        stale = [r for r in reviews if r.text and r.checked_hash != document.content_hash]
        if stale:
            answers = gate.paid_part_quoted_by(document=document, texts=[r.text for r in stale])
            for review, quotes in zip(stale, answers, strict=True):
                review_recheck(review=review, quotes=quotes, content_hash=document.content_hash)
    user_id = getattr(user, "pk", None)
    out = []
    for r in reviews:
        withheld = bool(r.text) and not entitled and (r.quotes_paid or r.checked_hash != document.content_hash)
        out.append(ShownReview(r.pk, r.user.username, r.stars, WITHHELD if withheld else r.text, withheld,
                               r.updated_at, r.user_id == user_id, r.hidden))
    return out


def review_of(*, user: Any, document_id: int) -> Review | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Review.objects.filter(user_id=user.pk, document_id=document_id).first()


def is_favorite(*, user: Any, document_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Favorite.objects.filter(user_id=user.pk, document_id=document_id).exists()


def favorites_of(*, user_id: int, limit: int = 100) -> list[Document]:
    """收藏: published documents only (a withdrawn one drops out of the list)."""
    ids = Favorite.objects.filter(user_id=user_id, document__status=Document.Status.PUBLISHED)
    return list(Document.objects.filter(pk__in=ids.values("document_id")).select_related("category")
                .order_by("-id")[:limit])


def history_of(*, user_id: int, limit: int = 100) -> list[tuple[Document, datetime]]:
    """最近阅读, newest first; published documents only."""
    rows = (ReadingHistory.objects.filter(user_id=user_id, document__status=Document.Status.PUBLISHED)
            .select_related("document", "document__category").order_by("-last_read_at", "-id")[:limit])
    return [(r.document, r.last_read_at) for r in rows]


def flag_threshold() -> int:
    return int(settings.FANWEN_REPORTS_FLAG)


def open_report_count(*, document_id: int) -> int:
    return Report.objects.filter(document_id=document_id, status=Report.Status.OPEN).count()


def report_queue(*, status: str = "open", limit: int = 200) -> list[tuple[Report, int]]:
    """The staff queue: reports with their document's open-report count (flagged at ≥ the threshold),
    the most-reported documents first, then oldest first."""
    qs = Report.objects.select_related("document", "document__category", "reporter", "review", "resolved_by")
    if status in Report.Status.values:
        qs = qs.filter(status=status)
    reports = list(qs.order_by("created_at", "id")[:limit] if status == "open" else qs[:limit])
    counts = dict(
        Report.objects.filter(status=Report.Status.OPEN, document_id__in={r.document_id for r in reports})
        .values("document_id").annotate(n=Count("id")).values_list("document_id", "n")
    )
    pairs = [(r, counts.get(r.document_id, 0)) for r in reports]
    if status == "open":
        pairs.sort(key=lambda p: -p[1])  # stable: oldest first within a count
    return pairs


def reports_open_total() -> int:
    return Report.objects.filter(status=Report.Status.OPEN).count()


def report_categories() -> list[tuple[int, str]]:
    return list(Category.objects.order_by("name").values_list("pk", "name"))

