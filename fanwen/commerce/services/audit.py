from __future__ import annotations

from typing import Any

from fanwen.commerce.models import AuditLog, Order

_SECRET_KEYS = ("sign", "signature", "key", "token", "password", "secret", "ciphertext")


def mask(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if any(s in key.lower() for s in _SECRET_KEYS):
            out[key] = "***"
        elif isinstance(value, dict):
            out[key] = mask(value)
        else:
            out[key] = value
    return out


def audit(action: str, *, actor_id: int | None = None, order: Order | None = None, **data: Any) -> None:
    """Append one row; call inside the transaction that made the change."""
    AuditLog.objects.create(action=action, actor_id=actor_id, order=order, data=mask(data))
