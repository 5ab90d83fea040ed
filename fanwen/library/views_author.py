"""Authors upload documents and see them; operators publish them in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from fanwen.core.format import FormatError
from fanwen.core.reader import read_bytes
from fanwen.library.models import Document
from fanwen.library.services import ImportRefused, document_import
from fanwen.library.uploads import LimitedUploadHandler, UploadForm
from fanwen.web.auth import uid


@login_required
@never_cache
def upload(request: HttpRequest) -> HttpResponse:
    """FILE_UPLOAD_HANDLERS puts LimitedUploadHandler first: huge uploads stop while streaming."""
    if request.method != "POST":
        return render(request, "library/upload.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if getattr(request, "fanwen_upload_too_large", False):
        form.is_valid()
        form.errors.clear()
        form.add_error(None, f"文件过大：上限 {LimitedUploadHandler().limit // (1024 * 1024)} MB")
        return render(request, "library/upload.html", {"form": form}, status=413)
    if not form.is_valid():
        return render(request, "library/upload.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        parsed = read_bytes(upload.read(), name=upload.name)
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
        form.add_error("file", f"无法读取：{exc.reason}")
        return render(request, "library/upload.html", {"form": form}, status=400)
    except ImportRefused as exc:
        form.add_error("price" if "price" in exc.reason else None, "含付费部分的文档需要填写价格" if "price" in exc.reason else exc.reason)
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
