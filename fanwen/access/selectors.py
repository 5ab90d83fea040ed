"""Reads about who may read what.  The gate asks here; nothing else decides access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fanwen.access.models import Delivery, Entitlement, MembershipPeriod
from fanwen.library.models import Document


def entitlement_active_exists(*, user_id: int, document_id: int) -> bool:
    now = timezone.now()
    return (
        Entitlement.objects.filter(user_id=user_id, document_id=document_id, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exists()
    )


def membership_active_until(*, user_id: int):  # type: ignore[no-untyped-def]
    """The end of the user's current membership, or None when not a member now."""
    now = timezone.now()
    periods = MembershipPeriod.objects.filter(user_id=user_id, revoked_at__isnull=True, ends_at__gt=now)
    if not periods.filter(starts_at__lte=now).exists():
        return None
    return max(p.ends_at for p in periods)


def user_may_read(*, user_id: int, document_id: int) -> bool:
    """An active entitlement to the document, or an active membership."""
    if entitlement_active_exists(user_id=user_id, document_id=document_id):
        return True
    now = timezone.now()
    return MembershipPeriod.objects.filter(
        user_id=user_id, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    ).exists()


def documents_readable_by(*, user: Any) -> list[Document]:
    """我的文库: documents the user holds an active entitlement to, newest grant first.  An
    unpublished document stays (buyers keep what they paid for); a taken-down one is gone."""
    now = timezone.now()
    return list(
        Document.objects.filter(
            entitlements__user=user,
            entitlements__revoked_at__isnull=True,
            status__in=[Document.Status.PUBLISHED, Document.Status.UNPUBLISHED],
        )
        .filter(Q(entitlements__expires_at__isnull=True) | Q(entitlements__expires_at__gt=now))
        .select_related("category")
        .order_by("-entitlements__granted_at")
        .distinct()
    )



@dataclass(frozen=True)
class ReadingBasis:
    """Why a reader may read a document in full, for the delivery record and the watermark."""

    basis: str  # Delivery.Basis
    order_id: int | None = None
    order_number: str = ""


def reading_basis(*, user: Any, document: Document) -> ReadingBasis:
    """The right a reader reads by: an active entitlement (its order), else a membership
    period (its order), else being the author or staff, else a document with no paid part.
    Asked only after the gate has said yes; it does not decide access."""
    now = timezone.now()
    entitlement = (
        Entitlement.objects.filter(user_id=user.pk, document_id=document.pk, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("order")
        .first()
    )
    if entitlement is not None:
        if entitlement.order is not None:
            return ReadingBasis(Delivery.Basis.PURCHASE, entitlement.order_id, entitlement.order.number)
        return ReadingBasis(Delivery.Basis.GRANT)
    if document.author_id is not None and document.author_id == user.pk:
        return ReadingBasis(Delivery.Basis.AUTHOR)
    if user.is_staff:
        return ReadingBasis(Delivery.Basis.STAFF)
    period = (
        MembershipPeriod.objects.filter(user_id=user.pk, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
        .select_related("order")
        .first()
    )
    if period is not None and document.has_paid:
        return ReadingBasis(Delivery.Basis.MEMBERSHIP, period.order_id, period.order.number)
    return ReadingBasis(Delivery.Basis.FREE)


def local_day_start() -> datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def downloads_today(*, user_id: int) -> int:
    """How many files the user was delivered since local midnight (the daily cap counts these)."""
    return Delivery.objects.filter(user_id=user_id, created_at__gte=local_day_start()).count()


def deliveries_of(*, user: Any, limit: int = 200) -> list[Delivery]:
    """我的下载: the user's deliveries, newest first, with their documents and orders."""
    return list(
        Delivery.objects.filter(user=user).select_related("document", "order").order_by("-id")[:limit]
    )
