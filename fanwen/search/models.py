"""The search outbox: every change to a document's searchable state is recorded here,
in the same transaction as the change, and the indexer applies it to tantivy."""

from __future__ import annotations

from django.db import models


class IndexOutbox(models.Model):
    class Action(models.TextChoices):
        UPSERT = "upsert", "更新"
        DELETE = "delete", "删除"

    document_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "索引队列"

    def __str__(self) -> str:
        return f"{self.action} {self.document_id}"
