"""Author uploads: a size-limited upload handler, the form, the per-author rate limit, the
one-upload-at-a-time slot and the Chinese explanations of format errors.  A new document
waits for an operator (待审核) before anyone else can see it."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from fanwen.core.format import FormatError, TooManyBlocks
from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.core.reader import SUPPORTED_SUFFIXES
from fanwen.library.models import Category
from fanwen.library.services import MAX_PRICE_FEN

PRICE_RANGE_MESSAGE = f"价格须在 0.01 到 {MAX_PRICE_FEN // 100} 元之间"
BUSY_MESSAGE = "上传处理繁忙，请稍后再试"
RATE_WINDOW_SECONDS = 3600
# What each FormatError code means, for authors; the technical reason follows it.
FORMAT_ERROR_MESSAGES = {
    "cannot_decode": "无法识别文件编码或格式：请把文本保存为 UTF-8 或 GBK/GB18030 编码（繁体 Big5、日文 Shift-JIS 等编码不支持），"
    "Word 文件请用 .docx",
    "empty": "文件里没有文字：第一行应为标题",
    "no_body": "只有标题，没有正文段落",
    "nested_begin": "付费标记有误：上一个 ##paidbegin## 还没有用 ##paidend## 结束",
    "stray_end": "付费标记有误：##paidend## 之前没有 ##paidbegin##",
    "marker_in_title": "标题行（第一行）不能含付费标记",
    "too_large": "文件过大",
    "hostile_docx": "文件被拒绝：Word 文件结构异常",
}


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
            fen = yuan_to_fen(raw)
        except BadAmount as exc:
            raise forms.ValidationError("价格格式应为元，最多两位小数，如 5 或 5.50") from exc
        if fen > MAX_PRICE_FEN:
            raise forms.ValidationError(PRICE_RANGE_MESSAGE)
        return fen


def format_error_message(exc: FormatError) -> str:
    """A Chinese explanation first, then the one-line technical reason (which names the line)."""
    if isinstance(exc, TooManyBlocks):
        return exc.reason.rsplit(": ", 1)[-1]
    explanation = FORMAT_ERROR_MESSAGES.get(exc.code, "无法读取文件")
    line = f"（第 {exc.line} 行）" if exc.line else ""
    return f"{explanation}{line}。详情：{exc.reason}"


def upload_wait_seconds(*, user_id: int) -> int:
    """Counts this upload for its author in the shared cache, atomically, per clock hour.
    Returns 0 when it may go ahead, else the seconds until the next hour starts."""
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    key = f"upload-count:{user_id}:{window}"
    if cache.add(key, 1, RATE_WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, RATE_WINDOW_SECONDS)
            count = 1
    if count <= settings.FANWEN_UPLOADS_PER_HOUR:
        return 0
    return int((window + 1) * RATE_WINDOW_SECONDS - now) + 1


def rate_limited_message(wait_seconds: int) -> str:
    minutes = max(1, -(-wait_seconds // 60))
    return f"上传过于频繁：每小时最多 {settings.FANWEN_UPLOADS_PER_HOUR} 次，请 {minutes} 分钟后再试"


@contextmanager
def upload_slot() -> Iterator[bool]:
    """At most one upload is parsed and stored at a time on this host (all worker processes
    share the lock file), so uploads can never take more than one worker from the readers.
    Never waits: yields False when another upload holds the slot."""
    path = Path(settings.DATA_DIR) / "upload.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
