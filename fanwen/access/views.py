"""Download pages: the file behind login (/d/<id>/download/<fmt>/) and 我的下载.  Thin: the
gate, the cap and the record are in ``access.delivery``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fanwen.access import gate
from fanwen.access import selectors as access_selectors
from fanwen.access.delivery import daily_cap, deliver
from fanwen.access.download_slot import DownloadsBusy, log_busy, render_slot
from fanwen.access.errors import AccessError, NotEntitled
from fanwen.access.http import file_response


@login_required
@require_GET
@never_cache
def document_download(request: HttpRequest, document_id: int, fmt: str) -> HttpResponse:
    document = gate.document_get_visible(document_id=document_id, user=request.user)
    if document is None:
        raise Http404("文档不存在")
    try:
        with render_slot(user=request.user, document=document, fmt=fmt):
            response = file_response(deliver(user=request.user, document=document, fmt=fmt))
    except NotEntitled as exc:  # the paywall, with the reason
        messages.info(request, exc.message)
        return HttpResponseRedirect(f"/d/{document.pk}/#paywall")
    except DownloadsBusy as exc:
        return busy_page(request, document, exc)
    except AccessError as exc:
        return render(request, "access/download_refused.html", {"doc": document, "message": exc.message}, status=exc.status)
    return response


def busy_page(request: HttpRequest, document: object, exc: DownloadsBusy) -> HttpResponse:
    """503 with Retry-After: the host is rendering as many PDFs as it may; try again."""
    response = render(
        request, "access/download_busy.html",
        {"doc": document, "message": exc.message, "retry": request.get_full_path()}, status=exc.status,
    )
    response["Retry-After"] = str(exc.retry_after)
    log_busy(response)
    return response


@login_required
@never_cache
def my_downloads(request: HttpRequest) -> HttpResponse:
    deliveries = access_selectors.deliveries_of(user=request.user)
    return render(
        request,
        "access/my_downloads.html",
        {
            "deliveries": deliveries,
            "today": access_selectors.downloads_today(user_id=request.user.pk),  # type: ignore[arg-type]
            "cap": daily_cap(),
        },
    )
