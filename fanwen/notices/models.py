"""站内信: what a reader or author is told (review outcome, first sale, payouts, takedowns,
refunds).  A notice never quotes paid text: titles and reasons only."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notice(models.Model):
    class Kind(models.TextChoices):
        REVIEW = "review", "审核"
        SALE = "sale", "销售"
        PAYOUT = "payout", "提现"
        TAKEDOWN = "takedown", "下架"
        REFUND = "refund", "退款"
        REPORT = "report", "举报"
        OTHER = "other", "其他"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField("标题", max_length=120)
    body = models.CharField("内容", max_length=500, blank=True)
    link = models.CharField("链接", max_length=200, blank=True)
    # One notice per event: the same key for the same user is never stored twice.
    dedupe_key = models.CharField("去重键", max_length=80, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "站内信"
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notice_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.title
