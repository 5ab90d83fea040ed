"""Production: `fanwen migrate` is a deploy step; `serve` and `worker` refuse to start on a
database that lacks a migration (clear Chinese message, exit status ≠ 0).  Embedded
(`make run`) keeps migrating by itself."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.recorder import MigrationRecorder

from fanwen.jobs.deploy import unapplied_migrations

ROOT = Path(__file__).resolve().parents[2]
FANWEN = str(Path(sys.executable).parent / "fanwen")


@pytest.mark.django_db
def test_serve_and_worker_refuse_a_database_behind_in_production(settings):
    settings.FANWEN_PROFILE = "production"
    MigrationRecorder.Migration.objects.filter(app="jobs", name="0001_initial").delete()  # rolled back after
    assert unapplied_migrations() == ["jobs.0001_initial"]
    for command in (["serve"], ["worker", "--once"]):
        with pytest.raises(CommandError) as refused:
            call_command(*command)
        assert "数据库尚未迁移" in str(refused.value) and "jobs.0001_initial" in str(refused.value)
        assert "`fanwen migrate`" in str(refused.value)


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty database and the environment of a production host using it: real production
    settings on PostgreSQL, production-labelled embedded settings on SQLite."""
    env = {**os.environ, "FANWEN_DATA_DIR": str(tmp_path / "host"), "PYTHONPATH": str(ROOT)}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"fanwen_deploy_{os.getpid()}_{secrets.token_hex(3)}"
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env.update(DATABASE_URL=url.rsplit("/", 1)[0] + f"/{name}", DJANGO_SETTINGS_MODULE="fanwen.settings.production",
                   SECRET_KEY=secrets.token_urlsafe(50), REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
        try:
            yield env
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env.pop("REDIS_URL", None)
        env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                   DJANGO_SETTINGS_MODULE="tests.jobs.production_like_settings")
        yield env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FANWEN, *args], env=env, capture_output=True, text=True, timeout=120)


def job_runs(env: dict[str, str]) -> int:
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute("SELECT count(*) FROM jobs_jobrun").fetchone()[0]
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM jobs_jobrun").fetchone()
        assert row is not None
        return row[0]


def test_production_hosts_start_only_after_fanwen_migrate(fresh_database):
    for command in (["serve", "--port", "1"], ["worker", "--once"]):
        refused = run(fresh_database, *command)
        assert refused.returncode != 0, refused.stdout + refused.stderr
        assert "数据库尚未迁移" in refused.stderr and "`fanwen migrate`" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert run(fresh_database, "migrate").returncode == 0
    assert run(fresh_database, "showmigrations", "--plan").stdout.count("[ ]") == 0
    started = run(fresh_database, "worker", "--once")
    assert started.returncode == 0, started.stderr
    assert job_runs(fresh_database) >= 10  # every cluster job claimed its tick


def test_embedded_still_migrates_by_itself(tmp_path):
    env = {**os.environ, "FANWEN_DATA_DIR": str(tmp_path / "data")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    started = run(env, "worker", "--once")
    assert started.returncode == 0, started.stderr
    with sqlite3.connect(tmp_path / "data" / "fanwen.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM jobs_jobrun").fetchone()[0] >= 10
