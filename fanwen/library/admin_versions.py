"""Document versions in the admin: the history of each document and the pending ones to review.
通过 / 退回 are actions that call ``library.versions`` (audited; the author is notified).
Read-only otherwise; a version's text is shown to staff only, as the document's blocks are."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from fanwen.library import versions
from fanwen.library.models import DocumentVersion
from fanwen.library.services import DocumentChangeRefused
from fanwen.web.admin_fields import id_column

PREVIEW_BLOCKS = 200


class RejectForm(forms.Form):
    reason = forms.CharField(label="未通过原因（会告知作者）", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = (id_column, "document", "kind", "number", "status", "chars_free", "chars_paid", "paid_from",
                    "created_at", "decided_at", "decided_by")
    list_filter = ("status", "kind")
    search_fields = ("document__title",)
    raw_id_fields = ("document",)
    readonly_fields = ("document", "kind", "number", "status", "title", "chars_free", "chars_paid", "paid_from",
                       "blocks", "price_fen", "content_hash", "source_name", "created_by", "created_at",
                       "decided_at", "decided_by", "reason", "text_preview")
    fields = readonly_fields
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="正文预览（付费段落标为【付费】）")
    def text_preview(self, obj: DocumentVersion) -> str:
        if obj.kind == DocumentVersion.Kind.REPUBLISH:
            return "申请重新上架：正文为当前版本"
        blocks = versions.version_parsed(obj).blocks
        rows = format_html_join("", "<p>{}{}</p>", (("【付费】" if b.paid else "", b.text)
                                                    for b in blocks[:PREVIEW_BLOCKS]))
        return format_html("{}{}", rows, f"……共 {len(blocks)} 段" if len(blocks) > PREVIEW_BLOCKS else "")

    @admin.action(description="通过所选版本（替换线上正文 / 重新上架）")
    def approve(self, request: HttpRequest, queryset: QuerySet[DocumentVersion]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            try:
                version = versions.version_approve(version_id=pk, actor=request.user)
            except DocumentChangeRefused as exc:
                messages.error(request, f"#{pk}: {exc.message}")
                continue
            messages.success(request, f"#{pk}: 已通过" + (f"，现为第 {version.number} 版" if version.number else ""))

    @admin.action(description="退回所选版本（填写原因）")
    def reject(self, request: HttpRequest, queryset: QuerySet[DocumentVersion]) -> HttpResponse | None:
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {**self.admin_site.each_context(request), "title": "退回版本：填写原因", "objects": list(queryset),
                       "form": form, "action": "reject", "submit": "退回", "opts": self.model._meta}
            return TemplateResponse(request, "admin/fanwen_action_form.html", context)
        for pk in queryset.values_list("pk", flat=True):
            try:
                versions.version_reject(version_id=pk, actor=request.user, reason=form.cleaned_data["reason"])
            except DocumentChangeRefused as exc:
                messages.error(request, f"#{pk}: {exc.message}")
                continue
            messages.success(request, f"#{pk}: 已退回")
        return None
