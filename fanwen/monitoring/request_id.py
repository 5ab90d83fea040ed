"""One id per request, on the response (``X-Request-ID``) and on every log record written
while the request is served, so a line in the logs leads to the proxy's access log and back.

A sane id sent by the proxy (nginx's ``$request_id``: letters, digits, ``._-``, at most 64)
is kept; anything else is replaced by a fresh one, so a client cannot inject text into the
logs through it.  The id lives in a ``contextvars`` variable for the request's duration;
:class:`RequestIdFilter` puts it on records (``record.request_id``, "-" outside a request).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NO_REQUEST = "-"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("fanwen_request_id", default=NO_REQUEST)


def request_id_for(request: HttpRequest) -> str:
    incoming = str(request.META.get(META_KEY, ""))
    if SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Stands first (after django-prometheus' "before" middleware), so every response,
    redirects and refusals included, carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_for(request)
        request.request_id = rid  # type: ignore[attr-defined]  # read by the filter after the middleware returns
        token = current_request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: the current request's, or (for Django's request
    logger, which writes after the middleware has returned) the one on ``record.request``."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = current_request_id.get()
        if rid == NO_REQUEST:
            rid = getattr(getattr(record, "request", None), "request_id", NO_REQUEST)
        record.request_id = rid
        return True
