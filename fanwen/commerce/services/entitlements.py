"""Grants and revocations of reading rights."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.commerce.models import Entitlement, Order
from fanwen.commerce.services.audit import audit


def entitlement_grant(
    *,
    user_id: int,
    document_id: int,
    source: str = Entitlement.Source.GRANT,
    note: str = "",
    order: Order | None = None,
    actor: Any = None,
) -> tuple[Entitlement, bool]:
    """Give a user the whole document.  Returns (entitlement, created); idempotent by constraint.
    An expired but unrevoked entitlement is retired first, so it cannot stand in for this one."""
    now = timezone.now()
    Entitlement.objects.filter(
        user_id=user_id, document_id=document_id, revoked_at__isnull=True, expires_at__lte=now
    ).update(revoked_at=now)
    try:
        with transaction.atomic():
            entitlement = Entitlement.objects.create(
                user_id=user_id, document_id=document_id, source=source, note=note, order=order
            )
            audit("commerce.entitlement.granted", actor_id=getattr(actor, "pk", None), order=order, user_id=user_id,
                  document_id=document_id, source=source)
            return entitlement, True
    except IntegrityError:
        existing = Entitlement.objects.get(user_id=user_id, document_id=document_id, revoked_at__isnull=True)
        return existing, False


def entitlement_revoke(*, user_id: int, document_id: int, actor: Any = None) -> int:
    """Revoke every active entitlement of the user to the document; returns how many."""
    with transaction.atomic():
        count = Entitlement.objects.filter(
            user_id=user_id, document_id=document_id, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if count:
            audit("commerce.entitlement.revoked", actor_id=getattr(actor, "pk", None), user_id=user_id,
                  document_id=document_id)
        return count
