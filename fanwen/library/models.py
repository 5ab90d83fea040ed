"""Documents are stored as ordered blocks, each flagged free or paid, so the two
parts can never be confused later.  Only ``access.gate`` decides which blocks a
reader receives."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fanwen.core import structure


class Category(models.Model):
    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField("路径名", max_length=60, unique=True, allow_unicode=True)
    position = models.IntegerField("排序", default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = verbose_name_plural = "分类"

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        PENDING = "pending", "待审核"
        UNPUBLISHED = "unpublished", "已下架"
        TAKEN_DOWN = "taken_down", "已下架（侵权）"
        REJECTED = "rejected", "已驳回"  # review refused: author and staff only, like pending (gate.can_see)

    title = models.CharField("标题", max_length=200)
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    price_fen = models.PositiveIntegerField("价格（分）", default=0)
    chars_free = models.PositiveIntegerField("免费字数", default=0)
    chars_paid = models.PositiveIntegerField("付费字数", default=0)
    sections_free = models.PositiveIntegerField("免费章节数", default=0)
    sections_paid = models.PositiveIntegerField("付费章节数", default=0)
    tags = models.CharField("标签", max_length=200, blank=True, help_text="以空格或逗号分隔，公开可见")
    # Built from the free blocks only; used for meta tags, feeds and listings.
    summary = models.CharField("摘要", max_length=300, blank=True)
    content_hash = models.CharField("内容指纹", max_length=64, unique=True)
    source_name = models.CharField("来源文件", max_length=500, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    # Why the document was taken down for infringement; shown to its refunded buyers.
    takedown_reason = models.CharField("下架原因", max_length=500, blank=True)
    views = models.PositiveIntegerField("阅读数", default=0)
    # When reads were first counted that the search index does not have yet (NULL: it has them).
    # Set by the read-count flush, cleared by view_counts.views_reindex_due, which re-indexes a
    # document at most once per FANWEN_VIEWS_REINDEX_SECONDS (issue #13: no write amplification).
    views_unindexed_since = models.DateTimeField("阅读数待索引自", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "文档"
        indexes = [
            models.Index(fields=["status", "-created_at"], name="doc_status_new"),
            models.Index(fields=["status", "-views"], name="doc_status_views"),
            models.Index(fields=["category", "status", "-created_at"], name="doc_cat_new"),
            models.Index(fields=["views_unindexed_since"], name="doc_views_unindexed",
                         condition=models.Q(views_unindexed_since__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chars_paid=0) | models.Q(price_fen__gt=0), name="document_paid_has_price"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/d/{self.pk}/"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.chars_paid > 0 and not 0 < self.price_fen <= 100_000_00:
            raise ValidationError({"price_fen": "含付费部分的文档，价格须在 0.01 到 100000 元之间"})

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.replace("，", " ").replace(",", " ").split() if t][:10]

    @property
    def has_paid(self) -> bool:
        return self.chars_paid > 0

    @property
    def chars_total(self) -> int:
        return self.chars_free + self.chars_paid

    @property
    def price_yuan(self) -> str:
        return f"{self.price_fen // 100}.{self.price_fen % 100:02d}"


class Block(models.Model):
    class Kind(models.TextChoices):
        HEADING = "heading", "标题"
        POINT = "point", "要点"
        PARAGRAPH = "paragraph", "段落"

    document = models.ForeignKey(Document, verbose_name="文档", on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField("位置")
    text = models.TextField("正文")
    paid = models.BooleanField("付费", default=False)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.PARAGRAPH)
    level = models.PositiveSmallIntegerField("层级", default=0)
    lead = models.CharField("小标题", max_length=64, blank=True)

    class Meta:
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="block_unique_position")]
        indexes = [models.Index(fields=["document", "paid", "position"], name="block_doc_paid")]
        verbose_name = verbose_name_plural = "段落"

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position}"

    @property
    def heading_text(self) -> str:
        """For a heading that runs on into body text: the heading (up to its stop)."""
        return structure.split_heading(self.text)[0]

    @property
    def heading_rest(self) -> str:
        """... and the body text after it, rendered as a paragraph under the heading."""
        return structure.split_heading(self.text)[1]


class DocumentVersion(models.Model):
    """A text of a document: the live one's history (approved) and the author's changes waiting
    for review (pending).  A pending version's text reaches only its author and staff; the
    document's Block rows stay the live version until ``library.versions.version_approve``."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已被新版本取代"

    class Kind(models.TextChoices):
        TEXT = "text", "修改正文或付费分界线"
        REPUBLISH = "republish", "申请重新上架"

    document = models.ForeignKey(Document, verbose_name="文档", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号", null=True, blank=True)  # given when approved
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.TEXT)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    # core.format.serialise of the version, markers included (the only copy of a pending text).
    text = models.TextField("内容")
    content_hash = models.CharField("内容指纹", max_length=64)
    title = models.CharField("标题", max_length=200)
    chars_free = models.PositiveIntegerField("免费字数", default=0)
    chars_paid = models.PositiveIntegerField("付费字数", default=0)
    paid_from = models.PositiveIntegerField("付费起始段")
    blocks = models.PositiveIntegerField("段落数", default=0)
    price_fen = models.PositiveIntegerField("价格（分）", null=True, blank=True)
    source_name = models.CharField("来源文件", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField("未通过原因", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "文档版本"
        indexes = [models.Index(fields=["status", "created_at"], name="docversion_status")]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="docversion_unique_number"),
            models.UniqueConstraint(fields=["document"], condition=models.Q(status="pending"),
                                    name="docversion_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}" if self.number else f"{self.document_id} 待审核版本 #{self.pk}"

    @property
    def chars_total(self) -> int:
        return self.chars_free + self.chars_paid
