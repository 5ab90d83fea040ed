"""Payouts in the admin: read-only.  Decisions are made in the queue at /ops/payouts/ (services)."""

from __future__ import annotations

from django.contrib import admin

from fanwen.payouts.models import Payout, PayoutAccount
from fanwen.web.admin_fields import ReadOnlyModelAdmin, yuan_column


@admin.register(Payout)
class PayoutAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "user", yuan_column("amount_fen", "金额"), "status", "payee_method", "paid_via", "reference", "created_at", "decided_at")
    list_filter = ("status", "payee_method", "paid_via")
    search_fields = ("out_biz_no", "user__username", "reference")


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyModelAdmin):
    list_display = ("user", "method", "real_name", "updated_at")
    search_fields = ("user__username", "real_name")
