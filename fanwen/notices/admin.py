from __future__ import annotations

from django.contrib import admin

from fanwen.notices.models import Notice
from fanwen.web.admin_fields import ReadOnlyModelAdmin


@admin.register(Notice)
class NoticeAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "title")
    list_select_related = ("user",)
