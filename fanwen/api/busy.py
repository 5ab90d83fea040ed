"""The API's answer when the host is rendering as many PDFs as it may: 503, Retry-After and a
Chinese ``detail`` (the shape of every other API error)."""

from __future__ import annotations

from django.http import JsonResponse

from fanwen.access.download_slot import DownloadsBusy, log_busy


def busy_response(exc: DownloadsBusy) -> JsonResponse:
    response = JsonResponse({"detail": exc.message}, status=exc.status, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(exc.retry_after)
    response["Cache-Control"] = "private, no-store, max-age=0"
    log_busy(response)
    return response
