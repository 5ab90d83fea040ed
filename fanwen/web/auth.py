from __future__ import annotations

from typing import cast

from django.http import HttpRequest


def uid(request: HttpRequest) -> int:
    """The signed-in user's id (call only behind login_required)."""
    return cast(int, request.user.pk)
