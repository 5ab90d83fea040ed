from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from fanwen.commerce.models import (
    Account,
    AuditLog,
    Entitlement,
    LedgerEntry,
    LedgerTransaction,
    MembershipPeriod,
    Order,
    Payment,
    Plan,
    ProviderNotification,
    Refund,
)
from fanwen.commerce.services import CommerceError, order_refund, payment_refund_unmatched


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money records are written by services only; staff may look, not edit."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "document", "source", "granted_at", "expires_at", "revoked_at")
    list_filter = ("source",)
    search_fields = ("user__username", "document__title")
    raw_id_fields = ("user", "document", "order")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "days", "price_fen", "active", "position")
    list_editable = ("active", "position")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentInline(ReadOnlyInline):
    model = Payment
    readonly_fields = ("method", "amount_fen", "status", "provider_ref", "created_at", "confirmed_at")


class RefundInline(ReadOnlyInline):
    model = Refund
    readonly_fields = (
        "amount_fen", "status", "out_request_no", "attempts", "last_error", "created_at", "done_at"
    )


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "user", "kind", "subject", "amount_fen", "status", "created_at", "paid_at")
    list_filter = ("status", "kind")
    search_fields = ("number", "user__username", "subject")
    inlines = [PaymentInline, RefundInline]
    actions = ["refund"]

    @admin.action(description="退款（撤销阅读权限，原路退回）")
    def refund(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        for order in queryset:
            try:
                result = order_refund(order_id=order.pk, actor=request.user)
            except CommerceError as exc:
                messages.error(request, f"{order.number}: {exc.message}")
                continue
            state = "已退款" if result.status == Refund.Status.DONE else f"退款中（{result.last_error or '等待渠道确认'}）"
            messages.success(request, f"{order.number}: {state}")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and obj is None  # list + actions, no editing


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "method", "amount_fen", "status", "held_in_suspense", "provider_ref", "confirmed_at")
    list_filter = ("method", "status", "held_in_suspense")
    search_fields = ("order__number", "provider_ref")
    actions = ["refund_unmatched"]

    @admin.action(description="退还重复支付（待处理账户中的款项，原路退回）")
    def refund_unmatched(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        for payment in queryset:
            try:
                result = payment_refund_unmatched(payment_id=payment.pk, actor=request.user)
            except CommerceError as exc:
                messages.error(request, f"#{payment.pk}: {exc.message}")
                continue
            messages.success(request, f"#{payment.pk}: {result.get_status_display()}")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and obj is None


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("out_request_no", "order", "amount_fen", "status", "attempts", "last_error", "created_at", "done_at")
    list_filter = ("status",)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "user", "balance_fen")
    list_filter = ("kind",)
    search_fields = ("code", "user__username")


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    readonly_fields = ("account", "amount_fen")
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "order", "memo", "created_at")
    list_filter = ("kind",)
    inlines = [EntryInline]


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(ReadOnlyAdmin):
    list_display = ("provider", "event_id", "out_trade_no", "amount_fen", "outcome", "received_at")
    list_filter = ("provider", "outcome")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "order")
    list_filter = ("action",)
    search_fields = ("action", "order__number")


@admin.register(MembershipPeriod)
class MembershipPeriodAdmin(ReadOnlyAdmin):
    list_display = ("user", "order", "starts_at", "ends_at", "revoked_at")
