"""Deliveries (下载记录) for staff: read-only, like the other records, with 追查泄露 (admin_trace.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from fanwen.access.admin_trace import trace_view
from fanwen.access.models import Delivery
from fanwen.web.admin_fields import ReadOnlyModelAdmin, id_column


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyModelAdmin):
    list_display = (id_column, "created_at", "user", "document", "format", "basis", "order", "size_bytes")
    list_filter = ("format", "basis")
    search_fields = ("user__username", "document__title", "order__number", "fingerprint_code")
    list_select_related = ("user", "document", "order")
    date_hierarchy = "created_at"

    def get_urls(self) -> list[Any]:
        def trace(request: HttpRequest) -> HttpResponse:
            return trace_view(request, self.admin_site)

        return [
            path("trace/", self.admin_site.admin_view(trace), name="access_delivery_trace"),
            *super().get_urls(),
        ]
