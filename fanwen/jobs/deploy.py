"""Migrations are a deploy step in production: `fanwen migrate` once, before any host's
`fanwen serve` or `fanwen worker` starts.  Those refuse to start while the database is behind.
The embedded profile (one machine, SQLite: `make run`) keeps migrating by itself."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrates_itself() -> bool:
    """Only the embedded profile migrates at start; production (and any other) does not."""
    return getattr(settings, "FANWEN_PROFILE", "") == "embedded"


def unapplied_migrations() -> list[str]:
    """``app.name`` of each migration the database still lacks, in the order they would apply."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def require_migrated(command: str) -> None:
    """Embedded: migrate now.  Otherwise: a CommandError (exit status 1) naming the deploy step
    when the database lacks any migration."""
    if migrates_itself():
        if unapplied_migrations():
            call_command("migrate", interactive=False, verbosity=0)
        return
    missing = unapplied_migrations()
    if missing:
        shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 个" if len(missing) > 5 else "")
        raise CommandError(
            f"数据库尚未迁移（缺少 {shown}）。生产环境中 `fanwen {command}` 不会自动迁移："
            "请先在部署时运行一次 `fanwen migrate`，再启动。"
        )
