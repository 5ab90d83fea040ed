"""One row per run of a cluster-wide job: the claim of (name, tick) by one host."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "运行中"
        OK = "ok", "成功"
        FAILED = "failed", "失败"

    name = models.CharField("任务", max_length=80)
    tick = models.BigIntegerField("周期")  # floor(unix time / interval)
    interval_seconds = models.PositiveIntegerField("间隔（秒）")
    host = models.CharField("主机", max_length=200)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField("开始时间", db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    error = models.CharField("错误", max_length=200, blank=True)  # the exception's class only

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "任务运行"
        constraints = [models.UniqueConstraint(fields=["name", "tick"], name="jobrun_once_per_tick")]

    def __str__(self) -> str:
        return f"{self.name}#{self.tick} {self.state}"
