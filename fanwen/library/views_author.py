"""Authors upload documents and see them; operators publish them in the admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from fanwen.core.format import FormatError
from fanwen.core.reader import read_bytes
from fanwen.library.models import Document
from fanwen.library.services import ImportRefused, document_import
from fanwen.library.uploads import (
    BUSY_MESSAGE,
    PRICE_RANGE_MESSAGE,
    LimitedUploadHandler,
    UploadForm,
    format_error_message,
    rate_limited_message,
    upload_slot,
    upload_wait_seconds,
)
from fanwen.web.auth import uid


@login_required
@never_cache
def upload(request: HttpRequest) -> HttpResponse:
    """FILE_UPLOAD_HANDLERS puts LimitedUploadHandler first: huge uploads stop while streaming."""
    if request.method != "POST":
        return render(request, "library/upload.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "fanwen_upload_too_large", False):
        return _refused(form, f"文件过大：上限 {LimitedUploadHandler().limit // (1024 * 1024)} MB", request, 413)
    if not form.is_valid():
        return render(request, "library/upload.html", {"form": form}, status=400)
    with upload_slot() as free:
        if not free:
            form.add_error(None, BUSY_MESSAGE)
            return render(request, "library/upload.html", {"form": form}, status=503)
        wait = upload_wait_seconds(user_id=uid(request))
        if wait:
            form.add_error(None, rate_limited_message(wait))
            return render(request, "library/upload.html", {"form": form}, status=429)
        return _store(request, form)


def _refused(
    form: UploadForm, message: str, request: HttpRequest, status: int, *, field: str | None = None
) -> HttpResponse:
    form.is_valid()
    form.errors.clear()
    form.add_error(field, message)
    return render(request, "library/upload.html", {"form": form}, status=status)


def upload_unreadable(request: HttpRequest) -> HttpResponse:
    """Called by the 400 handler when the upload's body could not be parsed; stores nothing."""
    if not request.user.is_authenticated:
        return render(request, "400.html", status=400)
    message = "文件名过长或上传内容无法解析：请把文件名改短（不超过 200 个字）后重新上传"
    return _refused(UploadForm(data={}), message, request, 400, field="file")


upload.on_unreadable_body = upload_unreadable  # type: ignore[attr-defined]


def _store(request: HttpRequest, form: UploadForm) -> HttpResponse:
    upload = form.cleaned_data["file"]
    try:
        parsed = read_bytes(upload.read(), name=upload.name, max_blocks=settings.FANWEN_MAX_BLOCKS)
        result = document_import(
            parsed=parsed,
            price_fen=form.cleaned_data["price"],
            category_name=form.cleaned_data["category"].name if form.cleaned_data["category"] else None,
            author_id=uid(request),
            source_name=upload.name,
            tags=form.cleaned_data["tags"],
            status=Document.Status.PENDING,
        )
    except FormatError as exc:
        form.add_error("file", format_error_message(exc))
        return render(request, "library/upload.html", {"form": form}, status=400)
    except ImportRefused as exc:
        if exc.code == "no_price":
            form.add_error("price", "含付费部分的文档需要填写价格")
        elif exc.code == "price_out_of_range":
            form.add_error("price", f"含付费部分的文档，{PRICE_RANGE_MESSAGE}")
        else:
            form.add_error(None, f"无法保存：{exc.reason}")
        return render(request, "library/upload.html", {"form": form}, status=400)
    if result.status == "unchanged":
        messages.info(request, "文库里已有内容相同的文档。")
    else:
        messages.success(request, "上传成功，审核通过后即可公开。")
    if result.warning:
        messages.warning(request, result.warning)
    return redirect("/me/uploads/")


@login_required
@never_cache
def my_uploads(request: HttpRequest) -> HttpResponse:
    documents = Document.objects.filter(author_id=uid(request)).select_related("category").order_by("-id")[:200]
    return render(request, "library/my_uploads.html", {"documents": documents})
