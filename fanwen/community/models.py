"""Readers' side of the library: reports (举报) and copyright complaints, favourites (收藏),
reading history (最近阅读), ratings with short reviews, and the per-document rating tally.

A review is user-written text and may hold paid text a buyer copied: ``quotes_paid`` is
decided by ``services`` against the paid blocks of the version in ``checked_hash``; selectors
show the text to a reader who may not read the full document only when both say it is clean."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Report(models.Model):
    class Reason(models.TextChoices):
        INFRINGEMENT = "infringement", "侵权"
        VIOLATION = "violation", "违规内容"
        QUALITY = "quality", "质量差"
        CATEGORY = "category", "分类错误"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        RESOLVED = "resolved", "已处理"

    class Outcome(models.TextChoices):
        DISMISS = "dismiss", "驳回"
        RECATEGORISE = "recategorise", "已修正分类"
        UNPUBLISH = "unpublish", "已下架"
        TAKEDOWN = "takedown", "已侵权下架并退款"
        HIDE_REVIEW = "hide_review", "已隐藏评价"

    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.CASCADE,
                                 related_name="reports")
    review = models.ForeignKey("community.Review", verbose_name="被举报的评价", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="举报人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField("理由", max_length=16, choices=Reason.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    # A copyright complaint from a rights holder without an account.
    contact_name = models.CharField("权利人", max_length=60, blank=True)
    contact_email = models.CharField("邮箱", max_length=120, blank=True)
    contact_phone = models.CharField("电话", max_length=30, blank=True)
    work = models.CharField("权属作品", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, blank=True)
    resolution = models.CharField("处理说明", max_length=400, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "举报"
        indexes = [models.Index(fields=["status", "document"], name="report_open_doc")]
        constraints = [
            # One open report per reader per document (and per review).
            models.UniqueConstraint(fields=["reporter", "document"], name="report_one_open_per_reader",
                                    condition=models.Q(status="open", reporter__isnull=False, review__isnull=True)),
            models.UniqueConstraint(fields=["reporter", "review"], name="report_one_open_per_review",
                                    condition=models.Q(status="open", reporter__isnull=False, review__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"举报 #{self.pk}"

    @property
    def is_complaint(self) -> bool:
        return self.reporter_id is None


class Favorite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("library.Document", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("收藏时间", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "收藏"
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="favorite_once")]

    def __str__(self) -> str:
        return f"收藏 {self.user_id}→{self.document_id}"


class ReadingHistory(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey("library.Document", on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField("最近阅读")

    class Meta:
        ordering = ["-last_read_at", "-id"]
        verbose_name = verbose_name_plural = "阅读记录"
        indexes = [models.Index(fields=["user", "-last_read_at"], name="history_user_recent")]
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="history_once")]

    def __str__(self) -> str:
        return f"阅读 {self.user_id}→{self.document_id}"


class Review(models.Model):
    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.CASCADE,
                                 related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="读者", on_delete=models.CASCADE,
                             related_name="+")
    stars = models.PositiveSmallIntegerField("评分")
    text = models.CharField("评价", max_length=300, blank=True)
    hidden = models.BooleanField("已隐藏", default=False)
    quotes_paid = models.BooleanField("含付费内容", default=True)  # fail closed until checked
    checked_hash = models.CharField("检查时的版本", max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "评价"
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="review_once"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="review_stars_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.stars}星 · {self.user_id}"


class DocumentRating(models.Model):
    """The tally of visible ratings, kept in the transaction that changes a review, so cards
    and pages show the average without counting reviews."""

    document = models.OneToOneField("library.Document", on_delete=models.CASCADE, primary_key=True,
                                    related_name="rating")
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "评分汇总"

    def __str__(self) -> str:
        return f"{self.document_id}: {self.rating_count} 人评价"

    @property
    def average(self) -> float:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else 0.0
