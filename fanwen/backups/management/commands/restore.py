"""fanwen restore PATH: check a backup, then put its database and files back and rebuild the index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.backups.errors import BackupError
from fanwen.backups.services import backup_restore


class Command(BaseCommand):
    help = (
        "从 PATH 恢复 fanwen backup 生成的备份。恢复前必须先停止网站（fanwen serve）和 fanwen worker。"
        "先完整校验备份（清单与 SHA-256、数据库类型、迁移版本），任何不符都不改动现有数据；"
        "目标已有数据时须加 --force。SQLite 在一个事务里整体替换，PostgreSQL 用 pg_restore --single-transaction；"
        "之后补跑迁移、清空缓存并重建本机搜索索引（其他应用主机请各自运行 fanwen reindex）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="fanwen backup 生成的备份文件")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时也恢复（覆盖现有数据）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(path=Path(options["path"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc.message}") from None
        self.stdout.write(
            f"恢复完成：数据库 {result.database}，{result.documents} 篇文档，{result.files} 个文件，"
            f"索引重建 {result.indexed} 篇{'，已补跑迁移' if result.migrated else ''}，用时 {result.seconds:.1f} 秒"
        )
