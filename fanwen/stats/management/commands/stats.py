"""fanwen stats rollup: add new sales and refunds to the author dashboard's daily numbers
(the worker does it every minute; re-running never counts twice)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.stats.services import stats_rollup


class Command(BaseCommand):
    help = "作者数据：rollup 汇总销售、退款与净收益到每日统计（可重复运行，不会重复计数）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rollup"], help="rollup：汇总新的记账凭证")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        read = stats_rollup()
        self.stdout.write(f"已汇总 {read} 条记账凭证，用时 {time.monotonic() - started:.2f} 秒")
