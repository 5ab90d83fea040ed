"""fanwen backup PATH: the database and the data directory's files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.backups.errors import BackupError
from fanwen.backups.services import backup_create


class Command(BaseCommand):
    help = (
        "备份到 PATH（一个 tar 文件；以 .gz/.tgz 结尾则压缩）：数据库（SQLite 在线备份，或 PostgreSQL pg_dump 自定义格式）"
        "加数据目录里的文件（密钥、上传文件等），附带 SHA-256 清单。网站运行时也可备份。"
        "备份含全部用户数据（包括密码哈希、订单与内嵌模式的 secret_key），文件权限为 0600，请妥善保管。"
        "搜索索引不备份，恢复时重建。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="备份文件路径，如 /srv/backups/fanwen-2026-01-01.tar.gz")
        parser.add_argument("--force", action="store_true", help="覆盖已存在的备份文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(path=Path(options["path"]), overwrite=options["force"])
        except BackupError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"备份完成：{result.path}（数据库 {result.database}，{result.files} 个文件，"
            f"{result.size_bytes / 1e6:.1f} MB，用时 {result.seconds:.1f} 秒；权限 0600，内含密码哈希等敏感数据）"
        )
