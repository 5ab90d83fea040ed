from __future__ import annotations

from fanwen.notices.models import Notice


def unread_count(*, user_id: int) -> int:
    return Notice.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notices_for(*, user_id: int, limit: int = 50) -> list[Notice]:
    return list(Notice.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:limit])
