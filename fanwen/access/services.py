"""Writes of reading rights.  Commerce (purchases, refunds) and staff (grants) call these;
the callers write their own audit rows in the same transaction."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from fanwen.access.models import Entitlement, MembershipPeriod


def entitlement_grant(
    *, user_id: int, document_id: int, source: str = Entitlement.Source.GRANT, note: str = "", order_id: int | None = None
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
                user_id=user_id, document_id=document_id, source=source, note=note, order_id=order_id
            )
            return entitlement, True
    except IntegrityError:
        existing = Entitlement.objects.get(user_id=user_id, document_id=document_id, revoked_at__isnull=True)
        return existing, False


def entitlement_revoke(*, user_id: int, document_id: int) -> int:
    """Revoke every active entitlement of the user to the document; returns how many."""
    return Entitlement.objects.filter(user_id=user_id, document_id=document_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def membership_extend(*, user_id: int, order_id: int, days: int) -> MembershipPeriod:
    """Add a membership period of ``days``; a renewal starts where the user's latest active
    period ends.  Call with the buyer's row locked (two renewals paid at once add both)."""
    now = timezone.now()
    last_end = MembershipPeriod.objects.filter(user_id=user_id, revoked_at__isnull=True, ends_at__gt=now).aggregate(
        end=Max("ends_at")
    )["end"]
    starts = max(now, last_end) if last_end else now
    return MembershipPeriod.objects.create(
        user_id=user_id, order_id=order_id, starts_at=starts, ends_at=starts + timedelta(days=days)
    )


def access_revoke_for_order(*, order_id: int) -> int:
    """Take back what one order gave (its entitlement or membership period), e.g. on a refund.
    Returns how many rights were revoked."""
    now = timezone.now()
    revoked = Entitlement.objects.filter(order_id=order_id, revoked_at__isnull=True).update(revoked_at=now)
    return revoked + MembershipPeriod.objects.filter(order_id=order_id, revoked_at__isnull=True).update(revoked_at=now)
