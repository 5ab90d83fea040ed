"""Site-wide pages: errors in Chinese, never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, resolve


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A form whose body cannot be parsed (in practice a file name longer than the 1,024 bytes
    Django allows for a part's headers) goes back to its own page with a Chinese error, when
    the view offers one as ``on_unreadable_body``; nothing is processed there."""
    if isinstance(exception, MultiPartParserError):
        try:
            on_unreadable_body = getattr(resolve(request.path_info).func, "on_unreadable_body", None)
        except Resolver404:
            on_unreadable_body = None
        if on_unreadable_body is not None:
            return on_unreadable_body(request)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)
