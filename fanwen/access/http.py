"""The HTTP answer carrying a delivered file (used by the page view and the API)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from fanwen.access.delivery import DeliveredFile


def file_response(delivered: DeliveredFile) -> HttpResponse:
    """``attachment`` with the UTF-8 name (RFC 5987/6266) and an ASCII fallback; cached by no one."""
    response = HttpResponse(delivered.content, content_type=delivered.content_type)
    extension = delivered.filename.rpartition(".")[2]
    response["Content-Disposition"] = (
        f"attachment; filename=\"fanwen-{delivered.delivery_id}.{extension}\"; "
        f"filename*=UTF-8''{quote(delivered.filename, safe='')}"
    )
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(delivered.content))
    return response
