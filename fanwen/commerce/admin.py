from __future__ import annotations

from django.contrib import admin

from fanwen.commerce.models import Entitlement


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "document", "source", "granted_at", "expires_at", "revoked_at")
    list_filter = ("source",)
    search_fields = ("user__username", "document__title")
    raw_id_fields = ("user", "document")
