"""Cache headers.  A page that may carry paid text is never cached by anyone but the
reader's own browser; anonymous free views may be cached briefly by shared caches."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def vary_on_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if getattr(response, "fanwen_access", False) or request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True, max_age=0)
        else:
            patch_cache_control(response, public=True, max_age=60)
        patch_vary_headers(response, ["Cookie", "Authorization"])
        return response

    return wrapped
