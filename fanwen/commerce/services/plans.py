"""Membership plans, edited by staff in the admin.  Past orders keep what they paid."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fanwen.audit.services import audit_record
from fanwen.commerce.models import Plan
from fanwen.commerce.services.errors import CommerceError

PLAN_FIELDS = ("code", "name", "days", "price_fen", "active", "position")


def plan_save(*, plan_id: int | None, values: dict[str, Any], actor: Any = None) -> Plan:
    """Create a plan (``plan_id`` None) or change the given fields of one; audited."""
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise CommerceError(f"不能修改：{', '.join(sorted(unknown))}")
    if "price_fen" in values and not 0 < int(values["price_fen"]) <= 100_000_00:
        raise CommerceError("会员价格须在 0.01 到 100000 元之间")
    if "days" in values and int(values["days"]) <= 0:
        raise CommerceError("天数须大于 0")
    with transaction.atomic():
        if plan_id is None:
            plan = Plan.objects.create(**values)
            audit_record(action="commerce.plan.created", actor=actor, subject=plan, data=_plain(values))
            return plan
        plan = Plan.objects.select_for_update().get(pk=plan_id)
        changed = {k: v for k, v in values.items() if getattr(plan, k) != v}
        if changed:
            before = {k: getattr(plan, k) for k in changed}
            Plan.objects.filter(pk=plan_id).update(**changed)
            audit_record(action="commerce.plan.changed", actor=actor, subject=plan,
                         data={k: {"from": before[k], "to": v} for k, v in _plain(changed).items()})
            plan.refresh_from_db()
        return plan


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | str | bool) else str(v) for k, v in values.items()}
