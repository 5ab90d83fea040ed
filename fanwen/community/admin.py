"""Read-only views of community rows for staff; decisions are made at /ops/reports/ (services)."""

from __future__ import annotations

from django.contrib import admin

from fanwen.community.models import Report, Review


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def,override]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def,override]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def,override]
        return False


@admin.register(Report)
class ReportAdmin(ReadOnly):
    list_display = ("id", "document", "reason", "reporter", "contact_name", "status", "outcome", "created_at")
    list_filter = ("status", "reason", "outcome")
    raw_id_fields = ("document", "review", "reporter", "resolved_by")


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ("id", "document", "user", "stars", "hidden", "quotes_paid", "updated_at")
    list_filter = ("hidden", "stars")
    raw_id_fields = ("document", "user")
