"""A draft is an uploaded file the author has not submitted yet: kept on the server (its text
in the canonical format, the paywall line and the details), so a reload loses nothing.  Seen
only by its author; its paid text reaches no one else (tests/leak/test_leak_studio.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Draft(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交审核"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE, related_name="studio_drafts"
    )
    source_name = models.CharField("来源文件", max_length=500, blank=True)
    # core.format.serialise of the file as read: parse_text gives the same blocks and markers back.
    text = models.TextField("内容")
    title = models.CharField("标题", max_length=200)
    paid_from = models.PositiveIntegerField("付费起始段")
    category = models.ForeignKey(
        "library.Category", verbose_name="分类", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.CharField("标签", max_length=200, blank=True)
    price_fen = models.PositiveIntegerField("价格（分）", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    document = models.ForeignKey(
        "library.Document", verbose_name="文档", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A draft of a new version of this (published) document: submitting it makes a pending
    # library.DocumentVersion; the live text stays until staff approve it.
    version_of = models.ForeignKey(
        "library.Document", verbose_name="修改的文档", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = verbose_name_plural = "草稿"
        indexes = [models.Index(fields=["author", "status", "-updated_at"], name="draft_author_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/studio/drafts/{self.pk}/"
