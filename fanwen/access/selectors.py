"""Reads about who may read what.  The gate asks here; nothing else decides access."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from fanwen.access.models import Entitlement, MembershipPeriod
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

