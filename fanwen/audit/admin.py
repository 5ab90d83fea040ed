from __future__ import annotations

from django.contrib import admin

from fanwen.audit.models import AuditEvent
from fanwen.web.admin_fields import ReadOnlyModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read only: the record is written by services, never by hand."""

    list_display = ("created_at", "action", "actor", "subject_type", "subject_id", "data")
    list_filter = ("action", "subject_type")
    search_fields = ("action", "subject_id")
