"""The header's bell: the unread count, counted only when a template shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fanwen.notices import selectors


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notice_unread": SimpleLazyObject(lambda: selectors.unread_count(user_id=user.pk))}
