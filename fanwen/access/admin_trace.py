"""追查泄露 in the admin: staff paste a text or upload a .docx / .pdf / .txt and see whose copy
it came from — the same ``access.trace`` code as ``fanwen trace``.  Each run writes an audit
event (who ran it and what it found); the excerpt itself is never stored, logged or shown
back (it may be paid text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from fanwen.access.models import Delivery
from fanwen.access.trace import TraceResult, UnreadableFile, text_of, trace_text
from fanwen.audit.services import audit_record
from fanwen.library.models import Document

TRACE_SUFFIXES = (".docx", ".pdf", ".txt")
MAX_PASTED_CHARS = 200_000


class TraceForm(forms.Form):
    text = forms.CharField(
        label="粘贴文字", required=False, max_length=MAX_PASTED_CHARS, strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "autocomplete": "off"}),
        help_text="从泄露的网页、文档中复制的文字（付费部分的 100 字以上，300 字左右最可靠）",
    )
    file = forms.FileField(label="或上传文件", required=False, help_text="支持 .docx、.pdf、.txt")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if not (upload.name or "").lower().endswith(TRACE_SUFFIXES):
            raise forms.ValidationError("只支持 .docx、.pdf 和 .txt 文件")
        if upload.size > settings.FANWEN_MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(f"文件过大：上限 {settings.FANWEN_MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_text, has_file = bool((data.get("text") or "").strip()), data.get("file") is not None
        if not self.errors and has_text == has_file:
            raise forms.ValidationError("请粘贴文字或上传一个文件（二选一）")
        return data


def _source(form: TraceForm) -> tuple[str, str]:
    """(the text to trace, what it came from: 粘贴 / .docx / .pdf / .txt)."""
    upload = form.cleaned_data.get("file")
    if upload is None:
        return form.cleaned_data["text"], "粘贴"
    suffix = Path(upload.name or "").suffix.lower()
    return text_of(upload.read(), f"upload{suffix}"), suffix


def _audit(request: HttpRequest, result: TraceResult, source: str) -> None:
    """Who traced what kind of input, and the answer — never the excerpt or the file name."""
    holder = result.holder
    subject: Any = request.user
    if holder is not None:
        subject = Document.objects.filter(pk=holder.document_id).first() or request.user
    with transaction.atomic():
        audit_record(
            action="access.trace.run", actor=request.user, subject=subject,
            data={
                "source": source,
                "match": result.match,
                "reason": result.reason,
                "bits": result.bits,
                "false_match_probability": result.false_match_probability,
                "candidates": result.candidates,
                "document_id": holder.document_id if holder else None,
                "reader_id": holder.user_id if holder else None,
                "username": holder.username if holder else None,
                "via": holder.via if holder else None,
                "delivered_at": holder.delivered_at.isoformat() if holder and holder.delivered_at else None,
            },
        )


def trace_view(request: HttpRequest, site: AdminSite) -> HttpResponse:
    """The page (GET) and a trace run (POST).  ``site.admin_view`` has already sent anyone
    who is not active staff to the admin login; staff also need the right to view deliveries."""
    if not request.user.has_perm("access.view_delivery"):  # type: ignore[union-attr]
        raise PermissionDenied
    result: TraceResult | None = None
    form = TraceForm(request.POST, request.FILES) if request.method == "POST" else TraceForm()
    if request.method == "POST" and form.is_valid():
        try:
            text, source = _source(form)
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            result = trace_text(text)
            _audit(request, result, source)
            form = TraceForm()  # the excerpt is not shown back
    context = {
        **site.each_context(request),
        "title": "追查泄露",
        "opts": Delivery._meta,
        "form": form,
        "result": result,
        "holder": result.holder if result else None,
    }
    return TemplateResponse(request, "admin/access/delivery/trace.html", context)
