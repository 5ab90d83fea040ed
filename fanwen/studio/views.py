"""The author studio (/studio/): upload a file, see it as blocks, move the paywall line, set
the details, preview what an anonymous reader will see, submit for review.  Thin: forms,
services and selectors do the work.  Works without script; studio.js makes the line move
in place."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fanwen.core.format import FormatError
from fanwen.core.reader import read_bytes
from fanwen.library import views_author
from fanwen.library.uploads import (
    BUSY_MESSAGE,
    LimitedUploadHandler,
    format_error_message,
    rate_limited_message,
    upload_slot,
    upload_wait_seconds,
)
from fanwen.studio import edits, selectors, services
from fanwen.studio.editor import editor_for
from fanwen.studio.forms import CategoryChoice, DraftForm, StudioUploadForm
from fanwen.studio.models import Draft
from fanwen.studio.preview import preview_html
from fanwen.web.auth import uid

NOINDEX = {"X-Robots-Tag": "noindex, nofollow"}


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = NOINDEX["X-Robots-Tag"]
    return response


def _home(request: HttpRequest, form: StudioUploadForm, status: int = 200) -> HttpResponse:
    drafts = selectors.drafts_open(author_id=uid(request))[:50]
    return _page(request, "studio/home.html", {"form": form, "drafts": drafts}, status)


@login_required
@never_cache
def studio_home(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _home(request, StudioUploadForm())
    form = StudioUploadForm(request.POST, request.FILES)
    if getattr(request, "fanwen_upload_too_large", False):
        form = StudioUploadForm(data={})
        form.add_error("file", f"文件过大：上限 {LimitedUploadHandler().limit // (1024 * 1024)} MB")
        return _home(request, form, 413)
    if not form.is_valid():
        return _home(request, form, 400)
    with upload_slot() as free:
        if not free:
            form.add_error(None, BUSY_MESSAGE)
            return _home(request, form, 503)
        wait = upload_wait_seconds(user_id=uid(request))
        if wait:
            form.add_error(None, rate_limited_message(wait))
            return _home(request, form, 429)
        upload = form.cleaned_data["file"]
        try:
            parsed = read_bytes(upload.read(), name=upload.name, max_blocks=settings.FANWEN_MAX_BLOCKS)
        except FormatError as exc:
            form.add_error("file", format_error_message(exc))
            return _home(request, form, 400)
        draft = services.draft_create(author_id=uid(request), parsed=parsed, source_name=upload.name)
    return redirect(draft.get_absolute_url())


def studio_unreadable(request: HttpRequest) -> HttpResponse:
    """Called by the 400 handler when the upload's body could not be parsed; stores nothing."""
    if not request.user.is_authenticated:
        return render(request, "400.html", status=400)
    form = StudioUploadForm(data={})
    form.add_error("file", "文件名过长或上传内容无法解析：请把文件名改短（不超过 200 个字）后重新上传")
    return _home(request, form, 400)


studio_home.on_unreadable_body = studio_unreadable  # type: ignore[attr-defined]


def _own_draft(request: HttpRequest, draft_id: int) -> Draft:
    draft = selectors.draft_get_own(draft_id=draft_id, author_id=uid(request))
    if draft is None:
        raise Http404("草稿不存在")
    return draft


def _editor_page(request: HttpRequest, draft: Draft, form: DraftForm, status: int = 200) -> HttpResponse:
    parsed = services.draft_parsed(draft)
    field = form.fields["category"]
    assert isinstance(field, CategoryChoice)
    medians = field.medians
    options = [
        {"slug": c.slug, "label": field.label_from_instance(c), "hint": median_hint(medians.get(c.pk))}
        for c in (field.queryset if field.queryset is not None else [])
    ]
    selected = form["category"].value() if form.is_bound else (draft.category.slug if draft.category else "")
    context: dict[str, Any] = {
        "draft": draft,
        "form": form,
        "editor": editor_for(parsed, draft.paid_from),
        "category_options": options,
        "selected_category": selected or "",
        "median_hint": next((o["hint"] for o in options if o["slug"] == selected), ""),
        "has_paid": services.draft_document(draft, parsed).has_paid,
    }
    return _page(request, "studio/draft.html", context, status)


def median_hint(found: tuple[int, int] | None) -> str:
    if found is None:
        return "这个分类还没有付费文档可参考"
    fen, count = found
    return f"同类文档价格中位数 ¥{fen // 100}.{fen % 100:02d}（{count} 篇）"


def _initial(draft: Draft) -> dict[str, Any]:
    price = None if draft.price_fen is None else f"{draft.price_fen // 100}.{draft.price_fen % 100:02d}"
    return {"title": draft.title, "category": draft.category, "tags": draft.tags, "price": price,
            "paid_from": draft.paid_from}


@login_required
@never_cache
def draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _own_draft(request, draft_id)
    medians = selectors.category_price_medians()
    if draft.status != Draft.Status.DRAFT:
        messages.info(request, "这份草稿已提交审核。")
        return redirect("/me/uploads/")
    if request.method != "POST":
        return _editor_page(request, draft, DraftForm(initial=_initial(draft), medians=medians))
    form = DraftForm(request.POST, medians=medians)
    valid = form.is_valid()
    data = form.cleaned_data
    if data.get("action") == "discard":
        try:
            services.draft_discard(draft_id=draft.pk, author_id=uid(request))
        except services.DraftRefused as exc:  # submitted meanwhile
            messages.info(request, exc.message)
            return redirect("/me/uploads/")
        messages.info(request, "草稿已删除。")
        return redirect("/studio/")
    changes: dict[str, Any] = {}
    line = data.get("move") or data.get("paid_from")
    if line:
        changes["paid_from"] = line
    for name in ("title", "category", "tags"):
        if name in data:
            changes[name] = data[name]
    if "price" in data:
        changes["price_fen"] = data["price"]
    try:
        draft = services.draft_save(draft_id=draft.pk, author_id=uid(request), **changes)
        if valid and data.get("action") == "submit":
            result = edits.submit(draft_id=draft.pk, author_id=uid(request), actor=request.user)
        elif valid:
            return redirect(f"{draft.get_absolute_url()}#line" if data.get("move") else draft.get_absolute_url())
        else:
            return _editor_page(request, draft, form, 400)
    except services.DraftRefused as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        draft.refresh_from_db()
        return _editor_page(request, draft, form, 400)
    if result.status in ("version", "details"):
        messages.success(request, "新版本已提交审核：通过前，读者看到的仍是当前版本。" if result.status == "version"
                         else "文档信息已更新；正文和分界线没有变化。")
        return redirect(f"/studio/documents/{result.document_id}/")
    if result.status == "unchanged":
        messages.info(request, "文库里已有内容相同的文档。")
    else:
        messages.success(request, "已提交审核，审核通过后即可公开。")
    return redirect("/me/uploads/")


@login_required
@never_cache
@require_POST
def draft_line(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Moves only the line (studio.js calls it on every tap, so a reload keeps it)."""
    draft = _own_draft(request, draft_id)
    try:
        paid_from = int(request.POST.get("paid_from", ""))
        draft = services.draft_save(draft_id=draft.pk, author_id=uid(request), paid_from=paid_from)
    except (ValueError, services.DraftRefused) as exc:
        message = exc.message if isinstance(exc, services.DraftRefused) else "分界线位置无效"
        if request.headers.get("X-Requested-With") == "fetch":
            return JsonResponse({"detail": message}, status=400)
        messages.error(request, message)
        return redirect(draft.get_absolute_url())
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"paid_from": draft.paid_from})
    return redirect(f"{draft.get_absolute_url()}#line")


@login_required
@never_cache
def draft_preview(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _own_draft(request, draft_id)
    try:
        html = preview_html(request, draft)
    except services.DraftRefused as exc:
        messages.error(request, exc.message)
        return redirect(draft.get_absolute_url())
    return HttpResponse(html, headers=NOINDEX)


def legacy_upload(request: HttpRequest) -> HttpResponse:
    """/me/upload/: the page now lives at /studio/; a form posted here is still taken as before."""
    if request.method == "POST":
        return views_author.upload(request)
    return redirect("/studio/")


legacy_upload.on_unreadable_body = views_author.upload_unreadable  # type: ignore[attr-defined]
