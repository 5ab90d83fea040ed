from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fanwen.accounts.models import ApiToken
from fanwen.web.admin_fields import id_column


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by ``POST /api/v1/auth/token`` only; staff may look at them."""

    list_display = (id_column, "token_user", "token_created_at", "token_last_used_at")

    @admin.display(description="用户", ordering="user")
    def token_user(self, obj: ApiToken) -> Any:
        return obj.user

    @admin.display(description="创建时间", ordering="created_at")
    def token_created_at(self, obj: ApiToken) -> Any:
        return obj.created_at

    @admin.display(description="最近使用", ordering="last_used_at")
    def token_last_used_at(self, obj: ApiToken) -> Any:
        return obj.last_used_at

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
