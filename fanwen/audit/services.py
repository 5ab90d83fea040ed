"""The one way to write the site-wide audit record.  Call it inside the transaction that
made the change, so the row commits (or rolls back) with it."""

from __future__ import annotations

from typing import Any

from django.db import models

from fanwen.audit.models import AuditEvent


def audit_record(*, action: str, actor: Any = None, subject: models.Model, data: dict[str, Any] | None = None) -> AuditEvent:
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor_id,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        data=data or {},
    )
