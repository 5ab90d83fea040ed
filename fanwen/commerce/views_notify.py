"""Provider notification endpoints: raw body in, the provider's exact answer out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fanwen.commerce.services import notification_handle


def _reply(provider_name: str, request: HttpRequest) -> HttpResponse:
    reply = notification_handle(provider_name=provider_name, body=request.body, headers=request.headers)
    return HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)


@csrf_exempt
@require_POST
def alipay_notify(request: HttpRequest) -> HttpResponse:
    return _reply("alipay", request)


@csrf_exempt
@require_POST
def wechatpay_notify(request: HttpRequest) -> HttpResponse:
    return _reply("wechatpay", request)
