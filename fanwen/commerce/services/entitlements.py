"""Grants and revocations of reading rights by staff: through ``access.services``, with
commerce's audit row in the same transaction (purchases grant in ``fulfilment``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanwen.access import services as access_services
from fanwen.access.models import Entitlement
from fanwen.commerce.models import Order
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
    """Give a user the whole document.  Returns (entitlement, created); idempotent by constraint."""
    with transaction.atomic():
        entitlement, created = access_services.entitlement_grant(
            user_id=user_id, document_id=document_id, source=source, note=note,
            order_id=order.pk if order is not None else None,
        )
        if created:
            audit("commerce.entitlement.granted", actor_id=getattr(actor, "pk", None), order=order, user_id=user_id,
                  document_id=document_id, source=source)
        return entitlement, created


def entitlement_revoke(*, user_id: int, document_id: int, actor: Any = None) -> int:
    """Revoke every active entitlement of the user to the document; returns how many."""
    with transaction.atomic():
        count = access_services.entitlement_revoke(user_id=user_id, document_id=document_id)
        if count:
            audit("commerce.entitlement.revoked", actor_id=getattr(actor, "pk", None), user_id=user_id,
                  document_id=document_id)
        return count
