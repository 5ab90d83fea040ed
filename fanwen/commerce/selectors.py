"""Reads about who may read what.  The gate asks here; nothing else decides access."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from fanwen.commerce.models import Entitlement


def entitlement_active_exists(*, user_id: int, document_id: int) -> bool:
    now = timezone.now()
    return (
        Entitlement.objects.filter(user_id=user_id, document_id=document_id, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exists()
    )


def entitled_document_ids(*, user_id: int, document_ids: list[int]) -> set[int]:
    now = timezone.now()
    return set(
        Entitlement.objects.filter(user_id=user_id, document_id__in=document_ids, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("document_id", flat=True)
    )


def documents_readable_by(*, user: object) -> list:  # type: ignore[type-arg]
    """我的文库: documents the user holds an active entitlement to, newest grant first."""
    from fanwen.library.models import Document

    now = timezone.now()
    return list(
        Document.objects.filter(
            entitlements__user=user,
            entitlements__revoked_at__isnull=True,
            status=Document.Status.PUBLISHED,
        )
        .filter(Q(entitlements__expires_at__isnull=True) | Q(entitlements__expires_at__gt=now))
        .select_related("category")
        .order_by("-entitlements__granted_at")
        .distinct()
    )
