"""Payout accounts (where an author is paid) and payout requests (提现).

A request's money sits in its own ledger account ``payout:<id>`` from the request until it is
paid (out to ``clearing:alipay:0`` or ``clearing:manual:0``, shard 0) or rejected (back to ``author:<id>``).
The payee is copied onto the request, so a later change of account never redirects it.
``out_biz_no`` is the idempotency key of the Alipay transfer: UNIQUE, made once, reused by every
retry and query of that request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Method(models.TextChoices):
    ALIPAY = "alipay", "支付宝"
    BANK = "bank", "银行卡（人工转账）"


class PayoutAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.PROTECT, related_name="payout_account")
    method = models.CharField("收款方式", max_length=8, choices=Method.choices)
    real_name = models.CharField("真实姓名", max_length=30)
    alipay_login = models.CharField("支付宝账号", max_length=100, blank=True)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_branch = models.CharField("开户支行", max_length=60, blank=True)
    bank_account_no = models.CharField("银行卡号", max_length=30, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "收款账户"

    def __str__(self) -> str:
        return f"{self.user_id} {self.method}"


class Payout(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待审核"
        PROCESSING = "processing", "打款中"
        PAID = "paid", "已打款"
        REJECTED = "rejected", "已驳回"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.PROTECT, related_name="payouts")
    amount_fen = models.BigIntegerField("金额（分）")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    out_biz_no = models.CharField("商户转账单号", max_length=64, unique=True)
    payee_method = models.CharField("收款方式", max_length=8, choices=Method.choices)
    payee_name = models.CharField("收款人", max_length=30)
    payee_identity = models.CharField("收款账号", max_length=100)
    payee_bank = models.CharField("开户行", max_length=110, blank=True)
    paid_via = models.CharField("打款方式", max_length=8, blank=True)  # alipay | manual, once approved
    reference = models.CharField("打款凭证", max_length=100, blank=True)  # Alipay order_id or staff's reference
    reason = models.CharField("驳回原因", max_length=200, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("申请时间", auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    request_tx = models.OneToOneField("commerce.LedgerTransaction", verbose_name="申请凭证", on_delete=models.PROTECT, related_name="payout_requested", null=True, blank=True)
    settle_tx = models.OneToOneField("commerce.LedgerTransaction", verbose_name="结清凭证", on_delete=models.PROTECT, related_name="payout_settled", null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "提现申请"
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "processing"], settle_tx__isnull=True)
                | Q(status__in=["paid", "rejected"], settle_tx__isnull=False),
                name="payout_settled_iff_final",
            ),
        ]

    def __str__(self) -> str:
        return f"提现 #{self.pk}"

    @property
    def account_code(self) -> str:
        return f"payout:{self.pk}"
