"""/healthz, /readyz and /metrics, answered by a middleware that stands before Django's host
check, the HTTPS redirect, sessions and CSRF: a load balancer or Prometheus addresses a host
by its IP over plain HTTP, and a probe needs nothing of the site.  No auth on the two probes,
nothing but numbers and check names in their bodies; never cached."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from fanwen.monitoring import metrics
from fanwen.monitoring.readiness import readiness

log = logging.getLogger(__name__)
NO_STORE = "no-store, max-age=0"


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answers; nothing else is touched."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when this host can serve (database, cache, its search index close to the outbox,
    the outbox within bounds), else 503 naming the failed checks."""
    state = readiness()
    body = {"ready": state.ready, "checks": state.checks, "figures": state.figures}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=200 if state.ready else 503,
        content_type="application/json; charset=utf-8",
    )
    if not state.ready:
        failed = sorted(name for name, value in state.checks.items() if value != "ok")
        log.warning("not ready: %s", ", ".join(f"{name}: {state.checks[name]}" for name in failed))
        response._has_been_logged = True  # type: ignore[attr-defined]  # expected; not django.request's ERROR
    return response


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics.metrics_response,
}


class ProbesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = probe(request)
        response["Cache-Control"] = NO_STORE
        if request.method == "HEAD":
            response.content = b""
        return response
