"""Readers' writes: favourites (收藏), reading history (最近阅读), ratings with short reviews,
and staff hiding a review.  The rating tally (DocumentRating) changes in the same transaction
as the review, under its row lock, and counts visible reviews only."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.access import gate
from fanwen.access import selectors as access_selectors
from fanwen.audit.services import audit_record
from fanwen.community.errors import CommunityError
from fanwen.community.models import DocumentRating, Favorite, ReadingHistory, Review
from fanwen.library.models import Document
from fanwen.library.page_cache import anonymous_page_clear

HISTORY_KEEP = 100
REVIEW_MAX = 300
_MARKUP = re.compile(r"<[^>]*>|&[#a-zA-Z0-9]+;|\[/?[a-z]+[^\]]*\]|!\[|\]\(")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def _visible(user: Any, document_id: int) -> Document:
    document = gate.document_get_visible(document_id=document_id, user=user)
    if document is None:
        raise CommunityError("文档不存在", status=404)
    return document


# 收藏 ---------------------------------------------------------------------------------------

def favorite_add(*, user: Any, document_id: int) -> bool:
    """True when newly added."""
    _visible(user, document_id)
    try:
        with transaction.atomic():
            Favorite.objects.create(user_id=user.pk, document_id=document_id)
    except IntegrityError:
        return False
    return True


def favorite_remove(*, user: Any, document_id: int) -> bool:
    return Favorite.objects.filter(user_id=user.pk, document_id=document_id).delete()[0] > 0


def favorite_toggle(*, user: Any, document_id: int) -> bool:
    """Add or remove; True when the document is now a favourite."""
    if favorite_remove(user=user, document_id=document_id):
        return False
    favorite_add(user=user, document_id=document_id)
    return True


# 最近阅读 -------------------------------------------------------------------------------------

def history_record(*, user_id: int, document_id: int) -> None:
    """Cheap: nothing at all (not even a query) when this reader opened the document in the
    last FANWEN_HISTORY_QUIET_SECONDS; else one upsert, and a trim to the last 100 on insert."""
    quiet = settings.FANWEN_HISTORY_QUIET_SECONDS
    if not cache.add(f"community:read:{user_id}:{document_id}", 1, quiet):
        return
    now = timezone.now()
    if ReadingHistory.objects.filter(user_id=user_id, document_id=document_id).update(last_read_at=now):
        return
    try:
        with transaction.atomic():
            ReadingHistory.objects.create(user_id=user_id, document_id=document_id, last_read_at=now)
    except IntegrityError:  # a parallel first read
        return
    old = ReadingHistory.objects.filter(user_id=user_id).order_by("-last_read_at", "-id")[HISTORY_KEEP:]
    stale = list(old.values_list("pk", flat=True)[:50])
    if stale:
        ReadingHistory.objects.filter(pk__in=stale).delete()


def history_clear(*, user_id: int) -> int:
    """Clears the list; the quiet window of documents read just now still runs out first."""
    return ReadingHistory.objects.filter(user_id=user_id).delete()[0]


# 评价 ----------------------------------------------------------------------------------------

def review_text_clean(text: str) -> str:
    text = " ".join(_CONTROL.sub("", str(text)).split())
    if len(text) > REVIEW_MAX:
        raise CommunityError(f"评价最多 {REVIEW_MAX} 字（现在 {len(text)} 字）")
    if _MARKUP.search(text):
        raise CommunityError("评价只能是纯文字，不能包含 HTML、Markdown 等标记")
    return text


def review_allowed(*, user: Any, document: Document) -> str | None:
    """None when this reader may rate the document, else why not (Chinese).  Buyers and members
    who may read the whole document; for a document with no paid part, any signed-in reader.
    Never the author, and never staff just for being staff."""
    if not getattr(user, "is_authenticated", False):
        return "登录后才能评价"
    if document.author_id == user.pk:
        return "不能评价自己的文档"
    if not gate.can_read_full(user, document):
        return "购买或开通会员后才能评价"
    if document.has_paid and not access_selectors.user_may_read(user_id=user.pk, document_id=document.pk):
        return "购买或开通会员后才能评价"
    return None


def _stars(value: Any) -> int:
    try:
        stars = int(str(value).strip())
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise CommunityError("评分应为 1 到 5 星")
    return stars


def _tally(document_id: int) -> DocumentRating:
    DocumentRating.objects.get_or_create(document_id=document_id)
    return DocumentRating.objects.select_for_update().get(document_id=document_id)


def _tally_move(tally: DocumentRating, *, remove: int | None, add: int | None) -> None:
    if remove is not None:
        tally.rating_count -= 1
        tally.rating_sum -= remove
    if add is not None:
        tally.rating_count += 1
        tally.rating_sum += add
    tally.save(update_fields=["rating_count", "rating_sum"])


def review_save(*, user: Any, document_id: int, stars: Any, text: str = "") -> tuple[Review, bool]:
    """Create or edit this reader's one review; (review, created)."""
    document = _visible(user, document_id)
    refusal = review_allowed(user=user, document=document)
    if refusal:
        raise CommunityError(refusal, status=403)
    stars_ = _stars(stars)
    text_ = review_text_clean(text)
    quotes = gate.paid_part_quoted_by(document=document, texts=[text_])[0]
    with transaction.atomic():
        tally = _tally(document.pk)
        review = Review.objects.select_for_update().filter(user_id=user.pk, document_id=document.pk).first()
        created = review is None
        if review is None:
            review = Review(user_id=user.pk, document_id=document.pk)
            before = None
        else:
            before = None if review.hidden else review.stars
        review.stars, review.text = stars_, text_
        review.quotes_paid, review.checked_hash = quotes, document.content_hash
        review.save()
        _tally_move(tally, remove=before, add=None if review.hidden else stars_)
        audit_record(action="community.review.created" if created else "community.review.edited", actor=user,
                     subject=review, data={"document_id": document.pk, "stars": stars_, "quotes_paid": quotes})
        transaction.on_commit(lambda: anonymous_page_clear(document_id=document.pk))
    return review, created


def review_set_hidden(*, review_id: int, hidden: bool, actor: Any) -> bool:
    """Staff hide (or show again) a review; True when it changed.  Hidden ones leave the average."""
    with transaction.atomic():
        document_id = Review.objects.filter(pk=review_id).values_list("document_id", flat=True).first()
        if document_id is None:
            raise CommunityError("评价不存在", status=404)
        tally = _tally(document_id)
        review = Review.objects.select_for_update().get(pk=review_id)
        if review.hidden == hidden:
            return False
        review.hidden = hidden
        review.save(update_fields=["hidden", "updated_at"])
        _tally_move(tally, remove=review.stars if hidden else None, add=None if hidden else review.stars)
        audit_record(action="community.review.hidden" if hidden else "community.review.shown", actor=actor,
                     subject=review, data={"document_id": document_id})
        transaction.on_commit(lambda: anonymous_page_clear(document_id=document_id))
    return True


def review_recheck(*, review: Review, quotes: bool, content_hash: str) -> None:
    """A review checked against another version of the document, checked again by the gate
    (``gate.paid_part_quoted_by``; selectors call it): store the answer."""
    Review.objects.filter(pk=review.pk).update(quotes_paid=quotes, checked_hash=content_hash)
    review.quotes_paid, review.checked_hash = quotes, content_hash
