from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from fanwen.accounts.services import LoginThrottle, api_token_create, login_refusal_message
from fanwen.api.schemas import ErrorOut, TokenIn, TokenOut
from fanwen.web.client_address import client_address

router = Router(tags=["auth"])


@router.post("/auth/token", response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, auth=None, summary="取得 API 令牌")
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    throttle = LoginThrottle(username=payload.username, address=client_address(request))
    wait_seconds = throttle.reserve()
    if wait_seconds is not None:
        raise HttpError(429, login_refusal_message(wait_seconds))
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码错误")
    throttle.succeeded()
    return {"token": api_token_create(user=user)}
