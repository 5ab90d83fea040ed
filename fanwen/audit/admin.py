from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fanwen.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: the record is written by services, never by hand."""

    list_display = ("created_at", "action", "actor", "subject_type", "subject_id", "data")
    list_filter = ("action", "subject_type")
    search_fields = ("action", "subject_id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
