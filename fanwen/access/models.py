"""Reading rights: per-document entitlements and membership periods.

Moved here from ``commerce`` (migrations ``access.0001`` / ``commerce.0008`` move them without
copying a row).  A right records the order that gave it (``commerce.Order``, by name: access
imports nothing from commerce); commerce grants and revokes through ``access.services``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class Entitlement(models.Model):
    """The right of one user to read one document in full.

    Granted by staff or by a purchase; revoked (never deleted) by staff or a refund.
    At most one active entitlement per user and document, enforced by the database.
    """

    class Source(models.TextChoices):
        GRANT = "grant", "赠送"
        PURCHASE = "purchase", "购买"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="entitlements")
    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.CASCADE, related_name="entitlements")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    order = models.ForeignKey(
        "commerce.Order", verbose_name="订单", null=True, blank=True, on_delete=models.PROTECT, related_name="entitlements"
    )

    class Meta:
        verbose_name = verbose_name_plural = "阅读权限"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document"],
                condition=Q(revoked_at__isnull=True),
                name="entitlement_one_active",
            )
        ]
        indexes = [models.Index(fields=["user", "document"], name="entitlement_user_doc")]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.document_id} ({self.source})"


class MembershipPeriod(models.Model):
    """One paid stretch of membership (VIP).  Active while starts_at <= now < ends_at and
    not revoked.  A renewal adds a period starting where the last one ends."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="membership_periods")
    order = models.OneToOneField("commerce.Order", verbose_name="订单", on_delete=models.PROTECT, related_name="membership_period")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会员期"
        indexes = [models.Index(fields=["user", "ends_at"], name="membership_user_end")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="membership_positive")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.starts_at:%Y-%m-%d} → {self.ends_at:%Y-%m-%d}"


class AppendOnly(RuntimeError):
    pass


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("deliveries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("deliveries are append-only")


class Delivery(models.Model):
    """One file of a document's full text handed to one reader (a download).  Append-only:
    the record a leaked copy is traced back to; rows are never changed or deleted."""

    class Format(models.TextChoices):
        DOCX = "docx", "Word"
        PDF = "pdf", "PDF"

    class Basis(models.TextChoices):
        PURCHASE = "purchase", "购买"
        GRANT = "grant", "赠送"
        MEMBERSHIP = "membership", "会员"
        AUTHOR = "author", "作者"
        STAFF = "staff", "管理员"
        FREE = "free", "免费文档"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="deliveries")
    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.PROTECT, related_name="deliveries")
    document_version = models.CharField("文档版本", max_length=64, help_text="交付时正文的内容指纹")
    format = models.CharField("格式", max_length=8, choices=Format.choices)
    basis = models.CharField("阅读依据", max_length=12, choices=Basis.choices)
    order = models.ForeignKey(
        "commerce.Order", verbose_name="订单", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    watermark = models.CharField("可见水印", max_length=300)
    fingerprint_code = models.CharField("指纹编码", max_length=64, null=True, blank=True)  # noqa: DJ001 (NULL = not fingerprinted)
    size_bytes = models.PositiveIntegerField("文件大小（字节）")
    filled_placeholders = models.JSONField(
        "已填写的占位符", default=list, blank=True, help_text="填写模板时填了哪些占位符（只记占位符，不记填写的内容）"
    )
    created_at = models.DateTimeField("下载时间", auto_now_add=True, db_index=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "下载记录"
        indexes = [
            models.Index(fields=["user", "created_at"], name="delivery_user_time"),
            models.Index(fields=["document", "fingerprint_code"], name="delivery_doc_code"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}←{self.document_id} {self.format} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("deliveries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("deliveries are append-only")


class FillProfile(models.Model):
    """A reader's saved details for 填写模板 (label → value, e.g. 学校名称 → 清华大学).  Kept
    only when the reader ticks 保存为我的资料; cleared by the reader.  Written through
    ``access.fill.fill_profile_save`` / ``fill_profile_clear``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="fill_profile")
    values = models.JSONField("资料", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "填写资料"

    def __str__(self) -> str:
        return f"{self.user_id}: {len(self.values)} 项"
