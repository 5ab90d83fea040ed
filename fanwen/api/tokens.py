from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from fanwen.accounts.services import Throttle, api_token_create
from fanwen.api.schemas import ErrorOut, TokenIn, TokenOut

router = Router(tags=["auth"])


@router.post("/auth/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, auth=None, summary="取得 API 令牌")
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    throttle = Throttle(username=payload.username, address=str(request.META.get("REMOTE_ADDR", "")))
    if not throttle.attempt():
        raise HttpError(429, "登录失败次数过多，请 15 分钟后再试")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码错误")
    throttle.succeeded()
    return {"token": api_token_create(user=user)}
