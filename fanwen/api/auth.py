"""Who is calling: a Bearer token if one is sent, else the session user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError

from fanwen.accounts.services import api_token_user


def current_user(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise HttpError(401, "Authorization 头格式应为：Bearer <token>")
        user = api_token_user(raw=raw.strip())
        if user is None:
            raise HttpError(401, "令牌无效或已失效")
        return user
    return request.user


def require_user(request: HttpRequest) -> Any:
    user = current_user(request)
    if not user.is_authenticated:
        raise HttpError(401, "需要登录：先用 POST /api/v1/auth/token 取得令牌")
    return user


def require_user_for_write(request: HttpRequest) -> Any:
    """Writes with a session cookie must also pass Django's CSRF check; Bearer tokens need not."""
    if request.headers.get("Authorization"):
        return require_user(request)
    from django.middleware.csrf import CsrfViewMiddleware

    failure = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})  # type: ignore[arg-type,return-value]
    if failure is not None:
        raise HttpError(403, "缺少 CSRF 令牌：请用 Bearer 令牌调用 API")
    return require_user(request)
