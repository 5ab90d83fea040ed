"""Daily aggregates for the author dashboard.  Written only by ``services`` (batched upserts
that add to the counters); read by ``selectors``.

* ``DocumentDay``: one row per document and day (reads, paywall views, sales, refunds, net).
* ``DocumentMonth``: the same per calendar month, so a 365-day table reads ~12 rows per
  document instead of up to 365.
* ``AuthorDay``: an author's totals per day, for the totals and the by-day series.
* ``DocumentPeriod``: per-document totals for 7/30/365 days, kept only for authors with many
  documents (refreshed by the worker), so their table needs no aggregation per request.

All three are written by the same upsert with the same deltas, so they always agree.
Amounts are integer fen.  ``sales_fen``/``refunds_fen`` are what buyers paid / got back;
``net_fen`` is the author's share of sales minus the refunded author share."""

from __future__ import annotations

from django.conf import settings
from django.db import models

COUNTERS = ("reads", "paywall_views", "sales", "sales_fen", "refunds", "refunds_fen", "net_fen")


class _Counters(models.Model):
    reads = models.BigIntegerField("阅读", default=0)
    paywall_views = models.BigIntegerField("付费墙展示", default=0)
    sales = models.BigIntegerField("销售笔数", default=0)
    sales_fen = models.BigIntegerField("销售额（分）", default=0)
    refunds = models.BigIntegerField("退款笔数", default=0)
    refunds_fen = models.BigIntegerField("退款额（分）", default=0)
    net_fen = models.BigIntegerField("净收益（分）", default=0)

    class Meta:
        abstract = True


class DocumentDay(_Counters):
    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "文档日统计"
        constraints = [models.UniqueConstraint(fields=["document", "day"], name="stats_document_day_once")]
        indexes = [models.Index(fields=["author", "day"], name="stats_docday_author_day")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.day}"


class DocumentMonth(_Counters):
    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月份（当月1日）")

    class Meta:
        verbose_name = verbose_name_plural = "文档月统计"
        constraints = [models.UniqueConstraint(fields=["document", "month"], name="stats_document_month_once")]
        indexes = [models.Index(fields=["author", "month"], name="stats_docmonth_author_month")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.month:%Y-%m}"


class AuthorDay(_Counters):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")

    class Meta:
        verbose_name = verbose_name_plural = "作者日统计"
        constraints = [models.UniqueConstraint(fields=["author", "day"], name="stats_author_day_once")]

    def __str__(self) -> str:
        return f"{self.author_id} {self.day}"


class DocumentPeriod(_Counters):
    """A big author's per-document totals for the last ``days`` days, as of ``AuthorPeriods``:
    refreshed by the worker every minute for authors whose numbers changed (see
    ``services.stats_periods_refresh``), so the table of 10,000 documents reads 50 rows."""

    document = models.ForeignKey("library.Document", verbose_name="文档", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE, related_name="+")
    days = models.PositiveSmallIntegerField("天数")

    class Meta:
        verbose_name = verbose_name_plural = "文档周期统计"
        constraints = [models.UniqueConstraint(fields=["document", "days"], name="stats_document_period_once")]
        indexes = [models.Index(fields=["author", "days", "-net_fen", "-sales", "-reads", "document"],
                                name="stats_period_rank")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.days}"


class AuthorPeriods(models.Model):
    """When an author's DocumentPeriod rows were computed, and for which day."""

    author = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE,
                                  primary_key=True, related_name="+")
    as_of = models.DateField("截至日期")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "作者周期统计进度"

    def __str__(self) -> str:
        return f"{self.author_id} {self.as_of}"


class AuthorChanged(models.Model):
    """Authors whose numbers changed since their DocumentPeriod rows were computed."""

    author = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="作者", on_delete=models.CASCADE,
                                  primary_key=True, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "待更新作者"

    def __str__(self) -> str:
        return str(self.author_id)


class RollupState(models.Model):
    """One row (pk=1): the highest ledger transaction id rolled up.  Locked while a rollup runs."""

    last_transaction_id = models.BigIntegerField("已汇总到的记账凭证", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总进度"

    def __str__(self) -> str:
        return str(self.last_transaction_id)


class RolledUpTransaction(models.Model):
    """Ledger transactions counted recently (PostgreSQL can commit a lower id after a higher
    one, so recent ids are re-read and skipped when already here).  Pruned after a day."""

    transaction_id = models.BigIntegerField("记账凭证", primary_key=True)
    transaction_at = models.DateTimeField("凭证时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "已汇总凭证"

    def __str__(self) -> str:
        return str(self.transaction_id)
