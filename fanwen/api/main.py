"""The JSON API at /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from fanwen.api import community as community_api
from fanwen.api import (
    documents,
    downloads,
    fill,
    notices,
    orders,
    search,
    staff_review,
    stats,
    studio,
    studio_edit,
    tokens,
)
from fanwen.api import payouts as payouts_api

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
api.add_router("/", notices.router)
api.add_router("/", payouts_api.router)
api.add_router("/", staff_review.router)
api.add_router("/", studio.router)
api.add_router("/", stats.router)
api.add_router("/", community_api.router)
api.add_router("/", studio_edit.router)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "请求参数有误", "errors": exc.errors}, status=422)


@api.exception_handler(RawPostDataException)
def body_not_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """A form (multipart) sent to an operation that takes JSON: its text fields were read for the NUL check."""
    return api.create_response(request, {"detail": "此接口的请求体应为 JSON（Content-Type: application/json）"}, status=400)


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("api error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "服务器繁忙，请稍后重试"}, status=500)
