"""Deliveries (下载记录) for staff: read-only, like the other records."""

from __future__ import annotations

from django.contrib import admin

from fanwen.access.models import Delivery
from fanwen.web.admin_fields import ReadOnlyModelAdmin, id_column


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    list_display = (id_column, "created_at", "user", "document", "format", "basis", "order", "size_bytes")
    list_filter = ("format", "basis")
    search_fields = ("user__username", "document__title", "order__number", "fingerprint_code")
    list_select_related = ("user", "document", "order")
    date_hierarchy = "created_at"
