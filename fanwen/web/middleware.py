"""Fail-closed caching: a response to a signed-in or token-bearing request is never
stored by a shared cache unless the view said otherwise explicitly."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

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


NUL_REASON = "请求中含有非法的空字符"
UNSTORABLE_REASON = "请求中含有无法保存的字符（无效的 UTF-8 编码或不成对的 UTF-16 代理码位），请检查后重试"
# A JSON escape of a UTF-16 surrogate (\\uD800-\\uDFFF); only then is the body decoded and walked.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class RejectUnstorableInputMiddleware:
    """Text no database can store is refused at the door with a Chinese 400 instead of failing
    deep inside a query or a password hasher.

    This one stands first and checks the path, query, cookies and headers for NUL (before the
    session is looked up); :class:`RejectUnstorableBodyMiddleware` checks the body once the user
    is known, so a refused body gets a 400 page that still shows who is signed in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return _refused(request, NUL_REASON)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in value for value in request.COOKIES.values()):
            return True
        return any(key.startswith("HTTP_") and "\x00" in str(value) for key, value in request.META.items())


class RejectUnstorableBodyMiddleware:
    """The body half of :class:`RejectUnstorableInputMiddleware`; stands after
    AuthenticationMiddleware.  NUL anywhere in a body, and in JSON and form bodies invalid
    UTF-8 or lone UTF-16 surrogates (a JSON escape like \\ud800 decodes to one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = NUL_REASON if self._has_nul(request) else self._unstorable_body(request)
        if reason:
            return _refused(request, reason)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        if request.content_type == "multipart/form-data":  # text fields only: file parts are binary
            texts = [text for key, values in request.POST.lists() for text in (key, *values)]
            texts += [f"{key}{upload.name}" for key, uploads in request.FILES.lists() for upload in uploads]
            return any("\x00" in text for text in texts)
        body = request.body
        return b"\x00" in body or b"\\u0000" in body or b"%00" in body

    @staticmethod
    def _unstorable_body(request: HttpRequest) -> str | None:
        if request.method not in ("POST", "PUT", "PATCH") or request.path.startswith("/payments/"):
            return None  # provider notifications: the raw body goes to the provider's verification
        if request.content_type == "application/x-www-form-urlencoded":
            pairs = (part for pair in request.body.split(b"&") for part in pair.split(b"=", 1))
            texts = [unquote_to_bytes(part.replace(b"+", b" ")) for part in pairs]
        elif request.content_type == "application/json" or (
            request.path.startswith("/api/") and request.content_type != "multipart/form-data"
        ):
            texts = [request.body]
        else:  # multipart: files are bytes, and uploads decode them with their own checks
            return None
        try:
            for text in texts:
                text.decode(request.encoding or "utf-8")
        except UnicodeDecodeError:
            return UNSTORABLE_REASON
        if texts and _SURROGATE_ESCAPE.search(texts[0]) and _json_has_lone_surrogate(texts[0]):
            return UNSTORABLE_REASON
        return None


def _json_has_lone_surrogate(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON: the API answers that itself
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False


class ContentSecurityPolicyMiddleware:
    """Sends FANWEN_CONTENT_SECURITY_POLICY on every response that has none of its own.
    Django 5.2 has no CSP support; one header needs no package (docs/decisions.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        policy = settings.FANWEN_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=400)
    return render(request, "400.html", {"reason": reason}, status=400)
