"""The author's page of one of their stored documents (/studio/documents/<id>/): details that
change at once, a new file or the paywall line (opens the editor on a version draft), the
version history, unpublish and the request to put it back on sale.  Thin: studio.edits works."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from fanwen.core.format import FormatError
from fanwen.core.reader import SUPPORTED_SUFFIXES, read_bytes
from fanwen.library.models import Category, Document
from fanwen.library.selectors import document_versions
from fanwen.library.uploads import (
    BUSY_MESSAGE,
    UploadForm,
    format_error_message,
    rate_limited_message,
    upload_slot,
    upload_wait_seconds,
)
from fanwen.studio import edits
from fanwen.studio.services import DraftRefused
from fanwen.web.auth import uid


class DetailsForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    category = forms.ModelChoiceField(label="分类", queryset=Category.objects.order_by("position", "id"),
                                      required=False, empty_label="（无）", to_field_name="slug")
    tags = forms.CharField(label="标签", max_length=200, required=False, help_text="空格或逗号分隔")
    price = forms.CharField(label="价格（元）", max_length=12, required=False, help_text="含付费部分的文档必填")

    clean_price = UploadForm.clean_price


class NewFileForm(forms.Form):
    file = forms.FileField(label="新文件", help_text="支持 .txt .md .docx；上传后在编辑器里确认付费分界线再提交审核")


def _page(request: HttpRequest, document: Document, details: DetailsForm, upload: NewFileForm,
          status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "doc": document, "details": details, "upload": upload,
        "versions": list(document_versions(document_id=document.pk)[:50]),
        "editable": document.status in (Document.Status.PUBLISHED, Document.Status.UNPUBLISHED),
    }
    response = render(request, "studio/document.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _initial(document: Document) -> dict[str, Any]:
    return {"title": document.title, "category": document.category, "tags": document.tags,
            "price": document.price_yuan if document.has_paid else ""}


@login_required
@never_cache
def document_page(request: HttpRequest, document_id: int) -> HttpResponse:
    document = edits.document_get_own(document_id=document_id, author_id=uid(request))
    if document is None:
        raise Http404("文档不存在")
    details, upload = DetailsForm(initial=_initial(document)), NewFileForm()
    if request.method != "POST":
        return _page(request, document, details, upload)
    action = request.POST.get("action", "")
    try:
        if action == "details":
            details = DetailsForm(request.POST)
            if not details.is_valid():
                return _page(request, document, details, upload, 400)
            data = details.cleaned_data
            changed = edits.document_edit_details(
                document_id=document.pk, author_id=uid(request), actor=request.user, title=data["title"],
                category=data["category"], tags=data["tags"], price_fen=data["price"],
            )
            messages.success(request, "已保存。" if changed else "没有改动。")
        elif action == "line":
            draft = edits.draft_for_document(document_id=document.pk, author_id=uid(request))
            return redirect(f"{draft.get_absolute_url()}#line")
        elif action == "file":
            return _new_file(request, document, details)
        elif action == "unpublish":
            if edits.document_unpublish(document_id=document.pk, author_id=uid(request), actor=request.user):
                messages.success(request, "已下架：不再公开展示和出售，已购买的读者仍可阅读。")
        elif action == "republish":
            edits.document_republish(document_id=document.pk, author_id=uid(request), actor=request.user)
            messages.success(request, "已申请重新上架，审核通过后恢复公开。")
        else:
            return _page(request, document, details, upload, 400)
    except DraftRefused as exc:
        messages.error(request, exc.message)
        document.refresh_from_db()
        return _page(request, document, details, upload, 400)
    return redirect(f"/studio/documents/{document.pk}/")


def _new_file(request: HttpRequest, document: Document, details: DetailsForm) -> HttpResponse:
    upload = NewFileForm(request.POST, request.FILES)
    if getattr(request, "fanwen_upload_too_large", False):
        upload = NewFileForm(data={})
        upload.add_error("file", f"文件过大：上限 {settings.FANWEN_MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        return _page(request, document, details, upload, 413)
    if not upload.is_valid():
        return _page(request, document, details, upload, 400)
    file = upload.cleaned_data["file"]
    if not (file.name or "").lower().endswith(SUPPORTED_SUFFIXES):
        upload.add_error("file", "只支持 .txt、.md 和 .docx 文件")
        return _page(request, document, details, upload, 400)
    with upload_slot() as free:
        if not free:
            upload.add_error(None, BUSY_MESSAGE)
            return _page(request, document, details, upload, 503)
        wait = upload_wait_seconds(user_id=uid(request))
        if wait:
            upload.add_error(None, rate_limited_message(wait))
            return _page(request, document, details, upload, 429)
        try:
            parsed = read_bytes(file.read(), name=file.name, max_blocks=settings.FANWEN_MAX_BLOCKS)
        except FormatError as exc:
            upload.add_error("file", format_error_message(exc))
            return _page(request, document, details, upload, 400)
    draft = edits.draft_for_document(document_id=document.pk, author_id=uid(request), parsed=parsed,
                                     source_name=file.name)
    return redirect(f"{draft.get_absolute_url()}#line")
