"""fanwen dupes rebuild: recompute every document's near-duplicate signature and band rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.moderation.services import dupes_rebuild


class Command(BaseCommand):
    help = "疑似重复索引：rebuild 重新计算全部文档的签名与分段，并重查待审核文档"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        count = dupes_rebuild()
        self.stdout.write(f"完成：{count} 篇文档已建立签名")
