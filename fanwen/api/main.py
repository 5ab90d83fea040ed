"""The JSON API at /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from fanwen.api import documents, downloads, fill, orders, search, stats, tokens

log = logging.getLogger("fanwen.api")

api = NinjaAPI(
    title="范文库 API",
    version="1",
    description="文档、分类、检索、订单与支付。文档正文按读者权限裁剪：未购买者只收到免费部分。",
    urls_namespace="api",
)
api.add_router("/", tokens.router)
api.add_router("/", documents.router)
api.add_router("/", downloads.router)
api.add_router("/", fill.router)
api.add_router("/", orders.router)
api.add_router("/", search.router)
api.add_router("/", stats.router)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "请求参数有误", "errors": exc.errors}, status=422)


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("api error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "服务器繁忙，请稍后重试"}, status=500)
