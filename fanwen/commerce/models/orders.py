"""Orders and payment attempts are separate (pretix, Saleor).  "Paid" is decided inside
one locked transaction that also writes the ledger and grants the entitlement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Plan(models.Model):
    """A membership plan, configured in the admin (月卡 30 天, 年卡 365 天)."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40)
    days = models.PositiveIntegerField("天数")
    price_fen = models.PositiveIntegerField("价格（分）")
    active = models.BooleanField("在售", default=True)
    position = models.IntegerField("排序", default=0)

    class Meta:
        ordering = ["position", "price_fen"]
        verbose_name = verbose_name_plural = "会员方案"
        constraints = [models.CheckConstraint(condition=Q(price_fen__gt=0) & Q(days__gt=0), name="plan_positive")]

    def __str__(self) -> str:
        return f"{self.name}（{self.days} 天）"


class Order(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", "文档"
        PLAN = "plan", "会员"
        TOPUP = "topup", "充值"

    class Status(models.TextChoices):
        PENDING = "pending", "待支付"
        PAID = "paid", "已支付"
        REFUNDED = "refunded", "已退款"
        EXPIRED = "expired", "已过期"
        CANCELLED = "cancelled", "已取消"

    number = models.CharField("订单号", max_length=32, unique=True)  # out_trade_no
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    document = models.ForeignKey("library.Document", verbose_name="文档", null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    plan = models.ForeignKey(Plan, verbose_name="会员方案", null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    amount_fen = models.PositiveIntegerField("金额（分）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    subject = models.CharField("内容", max_length=200)
    idempotency_key = models.CharField("幂等键", max_length=100, null=True, blank=True)  # noqa: DJ001 (NULL = no key, for the partial unique)
    created_at = models.DateTimeField("下单时间", auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField("过期时间")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    refunded_at = models.DateTimeField("退款时间", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "订单"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="order_idempotency_key",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="order_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="document", document__isnull=False, plan__isnull=True)
                           | Q(kind="plan", plan__isnull=False, document__isnull=True)
                           | Q(kind="topup", plan__isnull=True, document__isnull=True)),
                name="order_kind_target",
            ),
        ]
        indexes = [models.Index(fields=["user", "-id"], name="order_user_recent")]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_yuan(self) -> str:
        return f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"

    @property
    def is_payable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()

    @property
    def display_status(self) -> str:
        """The status a buyer sees.  Reads ``refunds`` through ``.all()`` so that a list prefetching
        them (``prefetch_related("refunds")``) needs no query per row."""
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED.label
        if self.status == self.Status.PAID and any(
            r.kind == Refund.Kind.SALE and r.status == Refund.Status.PENDING for r in self.refunds.all()
        ):
            return "退款中"
        return self.get_status_display()


class Payment(models.Model):
    """One attempt to pay an order through one method (pretix ``OrderPayment``).

    created → pending (the buyer was sent to the provider) → confirmed | failed | cancelled;
    confirmed → refunded.  The attempt made at checkout is the one a verified notification (or a
    reconciliation query) confirms: services.attempts matches it by order number and method.
    Every transition is made with the order row locked (services.locking)."""

    class Method(models.TextChoices):
        WALLET = "wallet", "余额"
        ALIPAY = "alipay", "支付宝"
        WECHATPAY = "wechatpay", "微信支付"
        SANDBOX = "sandbox", "沙箱支付"

    class Status(models.TextChoices):
        CREATED = "created", "已创建"
        PENDING = "pending", "等待支付"
        CONFIRMED = "confirmed", "已确认"
        FAILED = "failed", "支付失败"
        CANCELLED = "cancelled", "已取消"
        REFUNDED = "refunded", "已退款"

    order = models.ForeignKey(Order, verbose_name="订单", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField("支付方式", max_length=10, choices=Method.choices)
    amount_fen = models.PositiveIntegerField("金额（分）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CREATED)
    provider_ref = models.CharField("渠道交易号", max_length=64, null=True, blank=True)  # noqa: DJ001 trade_no; NULL for wallet
    # A second payment for an order that was already settled: its money waits in suspense
    # until staff return it (commerce.services.refunds.payment_refund_unmatched).
    held_in_suspense = models.BooleanField("重复支付待退", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    closed_at = models.DateTimeField("失败/取消时间", null=True, blank=True)
    last_error = models.CharField("原因", max_length=200, blank=True)
    # The provider may know more than we do (a notification lost on the way): the reconciliation
    # tick asks it (services.reconcile) until the answer is final.
    check_provider = models.BooleanField("待向渠道核对", default=False)
    checked_at = models.DateTimeField("最近核对", null=True, blank=True)
    checks = models.PositiveIntegerField("核对次数", default=0)

    OPEN = ("created", "pending")

    class Meta:
        verbose_name = verbose_name_plural = "支付记录"
        indexes = [
            models.Index(fields=["checked_at"], condition=Q(check_provider=True), name="payment_to_check"),
        ]
        constraints = [
            # One open attempt per order and method: starting to pay again reuses it.
            models.UniqueConstraint(
                fields=["order", "method"], condition=Q(status__in=["created", "pending"]), name="payment_one_open_attempt"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["created", "pending", "confirmed", "failed", "cancelled", "refunded"]),
                name="payment_status_known",
            ),
            # One confirmed payment per provider transaction, however often it is notified.
            models.UniqueConstraint(
                fields=["method", "provider_ref"], condition=Q(provider_ref__isnull=False), name="payment_provider_ref"
            ),
            # At most one confirmed wallet payment per order.
            models.UniqueConstraint(
                fields=["order"], condition=Q(method="wallet", status="confirmed"), name="payment_one_wallet_per_order"
            ),
            # At most one sale payment per order (the one a sale-reversing refund returns);
            # every later payment for the order is held in suspense.
            models.UniqueConstraint(
                fields=["order"], condition=Q(held_in_suspense=False, status__in=["confirmed", "refunded"]),
                name="payment_one_sale_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.method} {self.status}"


class ProviderNotification(models.Model):
    """Every verified notification, once: UNIQUE(provider, event_id) makes handling idempotent."""

    provider = models.CharField("渠道", max_length=12)
    event_id = models.CharField("通知编号", max_length=128)
    out_trade_no = models.CharField("订单号", max_length=64)
    provider_ref = models.CharField("渠道交易号", max_length=64)
    amount_fen = models.BigIntegerField("金额（分）")
    outcome = models.CharField("处理结果", max_length=40)
    received_at = models.DateTimeField("收到时间", auto_now_add=True)
    data = models.JSONField("内容（已脱敏）", default=dict, blank=True)  # masked

    class Meta:
        verbose_name = verbose_name_plural = "支付通知"
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="notification_once")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "退款中"
        DONE = "done", "已退款"
        # The provider kept refusing (FANWEN_REFUND_MAX_ATTEMPTS): no more automatic retries;
        # staff retry it or mark it refunded offline (services.refund_staff).
        FAILED = "failed", "需人工处理"

    class Kind(models.TextChoices):
        # The order's sale is reversed: access revoked, order refunded.
        SALE = "sale", "撤销销售"
        # A second, unmatched payment held in suspense is returned; the order stays as it is.
        SUSPENSE = "suspense", "退回重复支付"

    order = models.ForeignKey(Order, verbose_name="订单", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, verbose_name="支付记录", on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveIntegerField("金额（分）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    out_request_no = models.CharField("退款请求号", max_length=40, unique=True)  # the provider's idempotency key
    kind = models.CharField("退款类型", max_length=10, choices=Kind.choices, default=Kind.SALE)
    provider_ref = models.CharField("渠道退款号", max_length=64, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次重试", null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "退款"
        constraints = [
            # One refund per payment: a second request cannot refund twice.
            models.UniqueConstraint(fields=["payment"], name="refund_one_per_payment"),
            # One sale reversal per order: it returns the order's one sale payment
            # (payment_one_sale_per_order), never a payment held in suspense.
            models.UniqueConstraint(fields=["order"], condition=Q(kind="sale"), name="refund_one_sale_reversal_per_order"),
            models.CheckConstraint(condition=Q(kind__in=["sale", "suspense"]), name="refund_kind_known"),
            models.CheckConstraint(condition=Q(status__in=["pending", "done", "failed"]), name="refund_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.out_request_no} {self.status}"

    @property
    def reverses_sale(self) -> bool:
        return self.kind == self.Kind.SALE
