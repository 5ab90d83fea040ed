"""Fail-closed caching: a response to a signed-in or token-bearing request is never
stored by a shared cache unless the view said otherwise explicitly."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


class PrivateByDefaultMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        personal = "HTTP_AUTHORIZATION" in request.META or (
            hasattr(request, "user") and request.user.is_authenticated
        )
        if personal:
            control = response.get("Cache-Control", "")
            if "public" in control or not control:
                if "public" in control:
                    del response["Cache-Control"]
                patch_cache_control(response, private=True, no_store=True, max_age=0)
        patch_vary_headers(response, ["Cookie", "Authorization"])
        return response


class RejectNulMiddleware:
    """NUL characters are never valid input; PostgreSQL cannot even store them.
    Refuse them at the door with a 400 instead of failing deep inside a query.

    This one stands first and checks the path, query, cookies and headers (before the
    session is looked up); :class:`RejectNulBodyMiddleware` checks the body once the user
    is known, so a body that cannot be parsed gets a 400 page that still shows who is
    signed in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return _nul_refused(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in value for value in request.COOKIES.values()):
            return True
        return any(key.startswith("HTTP_") and "\x00" in str(value) for key, value in request.META.items())


class RejectNulBodyMiddleware:
    """The body half of :class:`RejectNulMiddleware`; stands after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return _nul_refused(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        if request.content_type == "multipart/form-data" and not request.path.startswith("/api/"):
            return any("\x00" in value for _, values in request.POST.lists() for value in values)
        body = request.body
        return b"\x00" in body or b"\\u0000" in body or b"%00" in body


def _nul_refused(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse

    from fanwen.web.views import bad_request

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "请求中含有非法的空字符"}, status=400)
    return bad_request(request)
