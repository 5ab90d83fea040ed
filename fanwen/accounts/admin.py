from __future__ import annotations

from django.contrib import admin

from fanwen.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "last_used_at")
    readonly_fields = ("user", "digest", "created_at", "last_used_at")
