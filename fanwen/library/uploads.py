"""Author uploads: a size-limited upload handler and the form.  A new document waits for
an operator (待审核) before anyone else can see it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.core.reader import SUPPORTED_SUFFIXES
from fanwen.library.models import Category


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes FANWEN_MAX_DOCUMENT_BYTES, so a huge
    upload costs neither memory nor disk; the form then reports it as too large."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0
        self.limit = settings.FANWEN_MAX_DOCUMENT_BYTES

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                setattr(self.request, "fanwen_upload_too_large", True)  # noqa: B010
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadForm(forms.Form):
    file = forms.FileField(label="文件", help_text="支持 .txt .md .docx；第一行为标题；用 ##paidbegin## 标出付费部分")
    category = forms.ModelChoiceField(
        label="分类", queryset=Category.objects.order_by("position", "id"), required=False, empty_label="（请选择）",
        to_field_name="slug",
    )
    price = forms.CharField(label="价格（元）", max_length=12, required=False, help_text="含付费部分时必填，如 5.00")
    tags = forms.CharField(label="标签", max_length=200, required=False, help_text="空格或逗号分隔")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(SUPPORTED_SUFFIXES):
            raise forms.ValidationError("只支持 .txt、.md 和 .docx 文件")
        if upload.size > settings.FANWEN_MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(f"文件过大：上限 {settings.FANWEN_MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        return upload

    def clean_price(self) -> int | None:
        raw = self.cleaned_data.get("price", "").strip()
        if not raw:
            return None
        try:
            return yuan_to_fen(raw)
        except BadAmount as exc:
            raise forms.ValidationError("价格格式应为元，最多两位小数，如 5 或 5.50") from exc
