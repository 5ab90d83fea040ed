"""Copying the database out and back: SQLite's online backup API, or pg_dump/pg_restore."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings

from fanwen.backups.errors import BackupError

SQLITE_MEMBER = "database/fanwen.sqlite3"
PG_MEMBER = "database/fanwen.pgdump"
# How long pg_restore waits for a table lock (a running site holds some) before giving up.
PG_LOCK_TIMEOUT = "30s"


def database_kind() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持备份此数据库：{engine}")


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


# --- SQLite -------------------------------------------------------------------------------

def sqlite_dump(dest: Path) -> None:
    """A consistent copy while the site runs: one backup step under a WAL read snapshot."""
    src_path = sqlite_path()
    if not src_path.exists():
        raise BackupError(f"找不到数据库文件：{src_path}")
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=20)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file in the archive
    finally:
        dst.close()
        src.close()


def sqlite_check(path: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份里的数据库已损坏：{exc}") from None
    if not result or result[0] != "ok":
        raise BackupError(f"备份里的数据库已损坏：integrity_check 报告 {result[0] if result else '无结果'}")


def sqlite_migrations(path: Path) -> list[list[str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        rows = []
    finally:
        con.close()
    return [[app, name] for app, name in rows]


def sqlite_load(staged: Path) -> None:
    """Replace the live database's content with ``staged`` in one write transaction (the
    backup API into the destination): it either completes or leaves the old content."""
    target = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=20)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as exc:
        raise BackupError(f"写入数据库失败（网站是否仍在运行？）：{exc}；原数据未改动") from None
    finally:
        dst.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------

def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian: apt-get install postgresql-client）")
    return path


def pg_tool_major(tool: str) -> int:
    try:
        out = subprocess.run([_tool(tool), "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603 (our arguments)
    except (OSError, subprocess.CalledProcessError):
        raise BackupError(f"无法运行 {tool}：请检查 PostgreSQL 客户端的安装") from None
    match = re.search(r"\)\s*(\d+)", out)  # "pg_dump (PostgreSQL) 15.20 (Debian …)"
    return int(match.group(1)) if match else 0


def pg_server_major() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _run(args: list[str], *, what: str) -> None:
    env = _pg_env()
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    proc = subprocess.run([_tool(args[0]), *args[1:]], capture_output=True, text=True, env=env)  # noqa: S603 (our arguments)
    if proc.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {proc.returncode}）：{_first_error(proc.stderr)}")


def _first_error(stderr: str) -> str:
    """The first error line, cut short: pg_restore's CONTEXT/COPY/DETAIL lines can quote row data
    (document text), so they are never shown, and anything quoted in the line itself is elided."""
    for line in stderr.splitlines():
        if "error" not in line.lower() or any(word in line for word in ("COPY", "CONTEXT", "DETAIL", "Failing row")):
            continue
        return re.sub(r'"[^"]*"?|\'[^\']*\'?|\([^)]*\)?', "…", line.strip())[:200]
    return "（详情未显示：可能含有数据内容）"


def pg_dump(dest: Path) -> None:
    tool, server = pg_tool_major("pg_dump"), pg_server_major()
    if tool < server:
        raise BackupError(f"pg_dump 版本 {tool} 低于数据库服务器版本 {server}：请安装与服务器同版本的客户端")
    _run(["pg_dump", "--format=custom", f"--file={dest}"], what="pg_dump ")


def pg_load(staged: Path, *, dump_major: int) -> None:
    tool = pg_tool_major("pg_restore")
    if dump_major > tool:
        raise BackupError(f"备份由 pg_dump {dump_major} 生成，本机 pg_restore 是 {tool}：请安装 {dump_major} 或更新的客户端")
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", f"--dbname={_pg_env()['PGDATABASE']}", str(staged)], what="pg_restore ")


def pg_check(staged: Path) -> None:
    proc = subprocess.run([_tool("pg_restore"), "--list", str(staged)], capture_output=True, text=True)  # noqa: S603 (our arguments)
    if proc.returncode != 0:
        raise BackupError("备份里的 PostgreSQL 转储无法读取（已损坏）")
