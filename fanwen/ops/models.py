"""The site's document views per day, for the operator dashboard's reading funnel: one row per
day, added to by ``services.site_views_on_flushed`` at each batched flush of the read counts
(the same moment the authors' ``stats.AuthorDay`` rows are added to), so the dashboard reads
365 rows instead of summing every author's days."""

from __future__ import annotations

from django.db import models


class SiteDay(models.Model):
    day = models.DateField("日期", unique=True)
    reads = models.BigIntegerField("文档浏览", default=0)
    paywall_views = models.BigIntegerField("付费墙展示", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "全站日浏览"

    def __str__(self) -> str:
        return f"{self.day}"
