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


class SearchQueryDay(models.Model):
    """The search log, for the operator dashboard: one row per (day, normalised query) with how
    often it was searched and how many of those searches found nothing.  Nothing else — no
    user, no IP, no time of day.  Written by ``services.search_log`` (one upsert per search),
    pruned after ``SEARCH_LOG_DAYS`` days by the worker."""

    day = models.DateField("日期")
    query = models.CharField("搜索词", max_length=100)
    searches = models.PositiveIntegerField("搜索次数", default=0)
    zero_results = models.PositiveIntegerField("无结果次数", default=0)
    last_total = models.PositiveIntegerField("最近结果数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "搜索词日志"
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="search_query_day_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.query}"
