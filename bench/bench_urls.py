"""The product's URLs plus /bench/bare/: a bare Django view returning fixed bytes."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from fanwen.urls import urlpatterns as product_urls

_BODY = Path(os.environ.get("FANWEN_BENCH_BODY", "/dev/null")).read_bytes()


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench/bare/", bare), *product_urls]
