"""``backup_create`` and ``backup_restore``: the database plus the data directory's files,
in one checked archive.  The search index, cache, static files and locks are not kept: they
are rebuilt (the index by ``index_rebuild`` right after a restore).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

from fanwen.backups import databases, files
from fanwen.backups.archive import FORMAT, FORMAT_VERSION, archive_read, archive_write
from fanwen.backups.errors import BackupError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    database: str
    files: int
    size_bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    database: str
    files: int
    documents: int
    indexed: int
    migrated: bool
    seconds: float


def _fanwen_version() -> str:
    try:
        return metadata.version("fanwen")
    except metadata.PackageNotFoundError:
        return "unknown"


def _applied_migrations() -> list[list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    return [[app, name] for app, name in sorted(MigrationRecorder(connections["default"]).applied_migrations())]


def backup_create(*, path: Path, overwrite: bool = False) -> BackupResult:
    """Write the archive at ``path`` (mode 0600).  Safe while the site runs."""
    started = time.monotonic()
    path = path.resolve()
    if path.is_dir():
        raise BackupError(f"{path} 是目录：请给出备份文件的路径，如 {path / 'fanwen.tar.gz'}")
    if path.exists() and not overwrite:
        raise BackupError(f"备份文件已存在：{path}（用 --force 覆盖）")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在：{path.parent}")
    kind = databases.database_kind()
    staging = Path(tempfile.mkdtemp(prefix=".fanwen-backup-", dir=path.parent))
    try:
        (staging / "database").mkdir()
        manifest: dict[str, Any] = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "fanwen_version": _fanwen_version(),
            "profile": getattr(settings, "FANWEN_PROFILE", ""), "database": kind,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if kind == "sqlite":
            dumped = staging / databases.SQLITE_MEMBER
            databases.sqlite_dump(dumped)
            manifest["migrations"] = databases.sqlite_migrations(dumped)
        else:
            manifest["migrations"] = _applied_migrations()
            manifest["pg_dump_major"] = databases.pg_tool_major("pg_dump")
            manifest["pg_server_major"] = databases.pg_server_major()
            databases.pg_dump(staging / databases.PG_MEMBER)
        copied = files.copy_out(staging / "files", skip=[path, staging])
        archive_write(staging=staging, dest=path, manifest=manifest)
    except OSError as exc:
        raise BackupError(f"写入备份失败：{exc.strerror or exc}（{path.parent}）") from None
    except sqlite3.Error as exc:
        raise BackupError(f"读取数据库失败：{exc}（稍后再试）") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupResult(path=path, database=kind, files=copied, size_bytes=path.stat().st_size,
                        seconds=time.monotonic() - started)


def _target_counts() -> tuple[int, int, int]:
    """(users, documents, orders) in the configured database; an unmigrated one counts 0."""
    from django.contrib.auth import get_user_model

    from fanwen.commerce.models import Order
    from fanwen.library.models import Document

    counts = []
    for model in (get_user_model(), Document, Order):
        try:
            counts.append(model.objects.count())
        except DatabaseError:
            counts.append(0)
            connections["default"].close()
    return counts[0], counts[1], counts[2]


def _check_migrations(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations", []) if (app, name) not in known]
    if unknown:
        raise BackupError(f"备份来自更新的 fanwen（{manifest.get('fanwen_version')}），含本程序不认识的迁移 {unknown[0]} 等 "
                          f"{len(unknown)} 个：请先升级 fanwen 再恢复")


def backup_restore(*, path: Path, force: bool = False) -> RestoreResult:
    """Check the whole archive, refuse on any mismatch, then swap files and database in.
    The site (serve, worker) must be stopped."""
    started = time.monotonic()
    kind = databases.database_kind()
    data_dir = Path(settings.DATA_DIR)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".fanwen-restore-", dir=data_dir))
    except OSError as exc:
        raise BackupError(f"数据目录不可写：{exc.strerror or exc}（{data_dir}）") from None
    try:
        try:
            dump_major = _checked_archive(path=path, staging=staging, kind=kind)
        except OSError as exc:
            raise BackupError(f"读取备份失败：{exc.strerror or exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError("备份清单格式不对：这不是本程序能读的备份") from None
        member = databases.SQLITE_MEMBER if kind == "sqlite" else databases.PG_MEMBER
        users, documents, orders = _target_counts()
        if (users or documents or orders) and not force:
            raise BackupError(f"目标数据库不是空的（{users} 个用户、{documents} 篇文档、{orders} 个订单）："
                              "恢复会覆盖它们；确认无误请加 --force")
        connections.close_all()
        try:
            swap = files.swap_in(staging / "files", data_dir=data_dir)
        except OSError as exc:
            raise BackupError(f"放回文件失败：{exc.strerror or exc}（数据库未改动）") from None
        try:
            if kind == "sqlite":
                databases.sqlite_load(staging / member)
            else:
                databases.pg_load(staging / member, dump_major=dump_major)
        except BaseException:
            swap.undo()
            raise
        swap.commit()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    migrated = _migrate_if_behind()
    indexed, documents = _after_restore(data_dir)
    return RestoreResult(database=kind, files=swap.count, documents=documents, indexed=indexed,
                         migrated=migrated, seconds=time.monotonic() - started)


def _checked_archive(*, path: Path, staging: Path, kind: str) -> int:
    """Read the archive into ``staging`` and check it all; the pg_dump major version it names."""
    manifest = archive_read(path=path.resolve(), into=staging)
    if manifest.get("database") != kind:
        raise BackupError(f"备份的数据库类型是 {manifest.get('database')}，当前配置是 {kind}：不能跨类型恢复"
                          "（SQLite 备份只能恢复到内嵌模式，PostgreSQL 备份只能恢复到 DATABASE_URL）")
    _check_migrations(manifest)
    member = databases.SQLITE_MEMBER if kind == "sqlite" else databases.PG_MEMBER
    if kind == "sqlite":
        databases.sqlite_check(staging / member)
    else:
        databases.pg_check(staging / member)
    return int(manifest.get("pg_dump_major") or 0)


def _migrate_if_behind() -> bool:
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return False
    call_command("migrate", interactive=False, verbosity=0)
    return True


def _after_restore(data_dir: Path) -> tuple[int, int]:
    """Drop what described the old data (index, cached pages), then rebuild the index."""
    from django.core.cache import cache

    from fanwen.library.models import Document
    from fanwen.search.indexer import index_rebuild, search_dir

    shutil.rmtree(search_dir(), ignore_errors=True)
    cache.clear()
    return index_rebuild(), Document.objects.count()
