from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from fanwen.access.models import Entitlement, MembershipPeriod
from fanwen.commerce.models import (
    Account,
    AuditLog,
    LedgerEntry,
    LedgerTransaction,
    Order,
    Payment,
    Plan,
    ProviderNotification,
    Refund,
)
from fanwen.commerce.services import (
    CommerceError,
    entitlement_revoke,
    order_refund,
    payment_refund_unmatched,
    refund_mark_done_offline,
    refund_retry,
)
from fanwen.commerce.services.plans import plan_save
from fanwen.core.money import fen_to_yuan
from fanwen.web.admin_fields import ReadOnlyModelAdmin, YuanField, id_column, yuan_column, yuan_text

AMOUNT = "amount"


class AmountInYuan:
    """The ``amount`` column: amount_fen shown as ¥x.xx."""

    @admin.display(description="金额", ordering="amount_fen")
    def amount(self, obj: Any) -> str:
        return yuan_text(obj.amount_fen)


# Money records are written by services only; staff may look, not edit.
ReadOnlyAdmin = ReadOnlyModelAdmin


@admin.register(Entitlement)
class EntitlementAdmin(ReadOnlyAdmin):
    """Grants and revocations go through the services (audited): revoke here, grant from the
    document list's 赠送 action or ``fanwen grant``."""

    list_display = (id_column, "user", "document", "source", "granted_at", "expires_at", "revoked_at")
    list_filter = ("source",)
    search_fields = ("user__username", "document__title")
    actions = ["revoke"]

    @admin.action(description="撤销所选阅读权限")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Entitlement]) -> None:
        count = 0
        for user_id, document_id in queryset.filter(revoked_at__isnull=True).values_list("user_id", "document_id"):
            count += entitlement_revoke(user_id=user_id, document_id=document_id, actor=request.user)
        messages.success(request, f"已撤销 {count} 项阅读权限")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and obj is None  # list + actions, no editing


class PlanForm(forms.ModelForm):
    price_yuan = YuanField(label="价格（元）", max_fen=100_000_00)

    class Meta:
        model = Plan
        fields = ("code", "name", "days", "active", "position")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["price_yuan"].initial = fen_to_yuan(self.instance.price_fen)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = ("code", "name", "days", yuan_column("price_fen", "价格"), "active", "position")
    list_editable = ("active", "position")
    fields = ("code", "name", "days", "price_yuan", "active", "position")

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        names = form.changed_data if change else list(form.cleaned_data)
        values = {("price_fen" if n == "price_yuan" else n): form.cleaned_data[n] for n in names if n in form.cleaned_data}
        try:
            saved = plan_save(plan_id=obj.pk if change else None, values=values, actor=request.user)
        except CommerceError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders refer to plans: take one off sale (在售) instead


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentInline(AmountInYuan, ReadOnlyInline):
    model = Payment
    readonly_fields = ("method", AMOUNT, "status", "provider_ref", "created_at", "confirmed_at", "closed_at", "last_error")
    fields = readonly_fields


class RefundInline(AmountInYuan, ReadOnlyInline):
    model = Refund
    readonly_fields = (
        AMOUNT, "status", "out_request_no", "attempts", "last_error", "created_at", "done_at"
    )
    fields = readonly_fields


@admin.register(Order)
class OrderAdmin(AmountInYuan, ReadOnlyAdmin):
    list_display = ("number", "user", "kind", "subject", AMOUNT, "status", "created_at", "paid_at")
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
            state = ("已退款" if result.status == Refund.Status.DONE
                     else f"{result.get_status_display()}（{result.last_error or '等待渠道确认'}）")
            messages.success(request, f"{order.number}: {state}")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and obj is None  # list + actions, no editing


def each_through_service(request: HttpRequest, queryset: QuerySet[Any], name: Callable[[Any], str],
                         act: Callable[[Any], str]) -> None:
    """An admin action: the service on each selected row; its Chinese refusal or result as a message."""
    for row in queryset:
        try:
            result = act(row)
        except CommerceError as exc:
            messages.error(request, f"{name(row)}: {exc.message}")
            continue
        messages.success(request, f"{name(row)}: {result}")


@admin.register(Payment)
class PaymentAdmin(AmountInYuan, ReadOnlyAdmin):
    list_display = (id_column, "order", "method", AMOUNT, "status", "held_in_suspense", "provider_ref", "created_at",
                    "confirmed_at", "closed_at", "check_provider", "checks", "last_error")
    list_filter = ("status", "method", "held_in_suspense", "check_provider")
    search_fields = ("order__number", "provider_ref")
    actions = ["refund_unmatched"]

    @admin.action(description="退还重复支付（待处理账户中的款项，原路退回）")
    def refund_unmatched(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        each_through_service(request, queryset, lambda p: f"#{p.pk}", lambda p: payment_refund_unmatched(
            payment_id=p.pk, actor=request.user).get_status_display())

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and obj is None


@admin.register(Refund)
class RefundAdmin(AmountInYuan, ReadOnlyAdmin):
    list_display = ("out_request_no", "order", AMOUNT, "status", "attempts", "last_error", "next_attempt_at",
                    "created_at", "done_at")
    list_filter = ("status", "kind")
    actions = ["retry", "mark_done_offline"]

    @admin.action(description="再次向渠道退款（需人工处理的退款）")
    def retry(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        each_through_service(request, queryset, lambda r: r.out_request_no, lambda r: str(Refund.Status(
            refund_retry(refund_id=r.pk, actor=request.user)).label))

    @admin.action(description="标记为线下已退款（已通过其他方式退给买家）")
    def mark_done_offline(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        def mark(refund: Refund) -> str:
            refund_mark_done_offline(refund_id=refund.pk, actor=request.user)
            return "已标记为线下退款"

        each_through_service(request, queryset, lambda r: r.out_request_no, mark)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff) and obj is None  # list + actions, no editing


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "user", yuan_column("balance_fen", "余额"))
    list_filter = ("kind",)
    search_fields = ("code", "user__username")


class EntryInline(AmountInYuan, admin.TabularInline):
    model = LedgerEntry
    extra = 0
    readonly_fields = ("account", AMOUNT)
    fields = readonly_fields
    can_delete = False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = (id_column, "kind", "order", "memo", "created_at")
    list_filter = ("kind",)
    inlines = [EntryInline]


@admin.register(ProviderNotification)
class ProviderNotificationAdmin(AmountInYuan, ReadOnlyAdmin):
    list_display = ("provider", "event_id", "out_trade_no", AMOUNT, "outcome", "received_at")
    list_filter = ("provider", "outcome")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "order")
    list_filter = ("action",)
    search_fields = ("action", "order__number")


@admin.register(MembershipPeriod)
class MembershipPeriodAdmin(ReadOnlyAdmin):
    list_display = ("user", "order", "starts_at", "ends_at", "revoked_at")
