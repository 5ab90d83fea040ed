"""填写模板 pages: /d/<id>/fill/ (the form, its preview, the filled Word / PDF) and clearing the
saved details.  Thin: the gate, the checks and the record are in ``access.fill``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fanwen.access import fill as access_fill
from fanwen.access import gate
from fanwen.access.download_slot import DownloadsBusy, render_slot
from fanwen.access.errors import AccessError, NotEntitled
from fanwen.access.filled import preview_segments
from fanwen.access.http import file_response
from fanwen.access.renderers import formats_offered
from fanwen.access.views import busy_page

FIELD_PREFIX = "ph"


def _typed(request: HttpRequest, form: access_fill.FillForm) -> dict[str, str]:
    """What the reader typed, by placeholder text (empty inputs are not filled)."""
    typed = {}
    for index, placeholder in enumerate(form.placeholders):
        value = request.POST.get(f"{FIELD_PREFIX}{index}", "")
        if value.strip():
            typed[placeholder.text] = value
    return typed


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def document_fill(request: HttpRequest, document_id: int) -> HttpResponse:
    document = gate.document_get_visible(document_id=document_id, user=request.user)
    if document is None:
        raise Http404("文档不存在")
    try:
        form = access_fill.fill_form(user=request.user, document=document)
    except NotEntitled as exc:
        messages.info(request, exc.message)
        return HttpResponseRedirect(f"/d/{document.pk}/#paywall")
    typed = _typed(request, form) if request.method == "POST" else {}
    errors: dict[str, str] = {}
    preview: list[list[tuple[str, bool]]] = []
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        try:
            values = access_fill.clean(form, typed)
        except access_fill.FillValuesInvalid as exc:
            errors = exc.errors
        else:
            if request.POST.get("save_profile"):
                access_fill.fill_profile_save(user_id=request.user.pk, form=form, raw=typed)  # type: ignore[arg-type]
            if action in formats_offered():
                try:
                    with render_slot(user=request.user, document=document, fmt=action):
                        return file_response(
                            access_fill.fill_and_deliver(user=request.user, document=document, fmt=action, raw=typed)
                        )
                except DownloadsBusy as exc:
                    return busy_page(request, document, exc)
                except AccessError as exc:
                    return render(request, "access/download_refused.html", {"doc": document, "message": exc.message}, status=exc.status)
            preview = [preview_segments(block.text, values) for block in form.view.blocks]
    profile = access_fill.fill_profile_of(user_id=request.user.pk)  # type: ignore[arg-type]
    fields: list[dict[str, Any]] = [
        {
            "name": f"{FIELD_PREFIX}{index}",
            "placeholder": p,
            "value": typed.get(p.text, "") if request.method == "POST" else profile.get(p.label, ""),
            "error": errors.get(p.text, ""),
        }
        for index, p in enumerate(form.placeholders)
    ]
    return render(
        request,
        "access/fill.html",
        {"doc": document, "fields": fields, "preview": preview, "formats": list(formats_offered().values()),
         "has_profile": bool(profile), "errors": errors},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def fill_profile_clear(request: HttpRequest) -> HttpResponse:
    access_fill.fill_profile_clear(user_id=request.user.pk)  # type: ignore[arg-type]
    messages.success(request, "已清除保存的填写资料")
    back = request.POST.get("next", "")
    return HttpResponseRedirect(back if back.startswith("/d/") and "//" not in back else "/me/downloads/")
