"""PostgreSQL: backup (pg_dump) → drop and recreate the database, delete the data dir → restore
(pg_restore) brings the same library back.  Runs when DATABASE_URL names PostgreSQL, against a
scratch database of its own (pytest-django's test database lives inside a transaction)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.backups.helpers import fanwen, ok, refused, scenario, scratch_env

pytestmark = [
    pytest.mark.xdist_group("backups"),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
                       reason="needs DATABASE_URL pointing at PostgreSQL"),
]


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True)


@pytest.fixture
def scratch_db() -> Iterator[tuple[str, str]]:
    """(url of a new empty database, url of the server's own database for DROP/CREATE)."""
    base = os.environ["DATABASE_URL"]
    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'postgres'}_backup_{os.getpid()}"
    scratch = urlunsplit(parts._replace(path=f"/{name}"))
    with _admin(base) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    yield scratch, base
    with _admin(base) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgres_backup_wipe_restore_round_trip(scratch_db: tuple[str, str], tmp_path: Path, seeded: dict) -> None:
    scratch, base = scratch_db
    name = urlsplit(scratch).path.lstrip("/")
    data = tmp_path / "data"
    env = scratch_env(data, scratch)
    ok(fanwen(env, "migrate", "--verbosity", "0"))
    scenario(env, "seed")
    before = scenario(env, "facts")
    assert before["buyer_reads_paid"] and not before["nonbuyer_reads_paid"] and before["ledger_problems"] == []
    archive = tmp_path / "site.tar"
    ok(fanwen(env, "backup", str(archive)))

    # Wipe: the database dropped and created empty, the data dir (index included) deleted.
    with _admin(base) as con:
        con.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    shutil.rmtree(data)
    refused(fanwen(env, "restore", str(seeded["archive"])), "数据库类型是 sqlite")

    out = ok(fanwen(env, "restore", str(archive)))

    assert "恢复完成" in out and "数据库 postgresql" in out
    assert scenario(env, "facts") == before
    ok(fanwen(env, "ledger", "check"))
    hits = json.loads(ok(fanwen(env, "search", before["search_word"], "--json")))
    assert before["doc_id"] in [hit["id"] for hit in hits["results"]]

    # Over a live database: refused without --force; with it, pg_restore --clean replaces it.
    refused(fanwen(env, "restore", str(archive)), "目标数据库不是空的")
    ok(fanwen(env, "useradd", "late-comer", "--password", "another-pass-123"))
    ok(fanwen(env, "restore", str(archive), "--force"))
    assert scenario(env, "facts") == before
    sqlite_env = scratch_env(tmp_path / "embedded")
    refused(fanwen(sqlite_env, "restore", str(archive)), "数据库类型是 postgresql")
