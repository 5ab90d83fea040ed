from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditLog(models.Model):
    """Append-only record of every money and state change (pretix log_action style).

    ``action`` is namespaced, e.g. ``commerce.order.paid``.  ``data`` never holds secrets
    or document text.  Rows cannot be changed or deleted through the ORM.
    """

    action = models.CharField("动作", max_length=80, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey("commerce.Order", verbose_name="订单", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    data = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit log rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit log rows are append-only")
