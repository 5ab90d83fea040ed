"""Embedded profile: backup → delete the data dir → restore brings the same library back."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from tests.backups.helpers import ROOT, fanwen, ok, refused, scenario, scratch_env

pytestmark = pytest.mark.xdist_group("backups")


def test_the_seeded_library_is_what_the_round_trip_must_keep(seeded: dict) -> None:
    before = seeded["before"]
    assert before["documents"] == 2 and before["ledger_problems"] == []
    assert before["doc_id"] in before["search_hits"]
    assert before["buyer_reads_paid"] and before["buyer_paid_blocks"] > 0
    assert not before["nonbuyer_reads_paid"] and before["nonbuyer_paid_blocks"] == 0
    assert sum(n for code, n in before["balances"].items() if code.startswith("revenue:platform")) > 0


def test_archive_is_private_and_lists_its_members(seeded: dict) -> None:
    archive: Path = seeded["archive"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[0] == "manifest.json"
    assert manifest["database"] == "sqlite" and manifest["profile"] == "embedded"
    assert manifest["format_version"] == 1 and manifest["created_at"]
    assert ["commerce", "0001_initial"] in manifest["migrations"]
    assert set(manifest["members"]) == set(names[1:])
    assert "database/fanwen.sqlite3" in names and "files/secret_key" in names
    assert not any(n.startswith(("files/search", "files/cache", "files/fanwen.sqlite3")) for n in names)
    assert "0600" in seeded["out"] or "权限" in seeded["out"]


def test_backup_wipe_restore_round_trip(seeded: dict, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeded["data"], data)  # the seeded dir stays for the other tests
    env = scratch_env(data)
    shutil.rmtree(data)  # wipe: database, files, index, secret key — all gone

    out = ok(fanwen(env, "restore", str(seeded["archive"])))

    assert "恢复完成" in out and "索引重建 2 篇" in out
    after = scenario(env, "facts")
    assert after == seeded["before"]
    assert (data / "secret_key").read_text() == seeded["secret"]
    assert (data / "search" / "index").is_dir()
    ok(fanwen(env, "ledger", "check"))
    hits = json.loads(ok(fanwen(env, "search", after["search_word"], "--json")))
    assert after["doc_id"] in [hit["id"] for hit in hits["results"]]


def test_restore_refuses_a_non_empty_target_then_force_replaces_it(seeded: dict, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = scratch_env(data)
    ok(fanwen(env, "migrate", "--verbosity", "0"))
    ok(fanwen(env, "useradd", "someone-else", "--password", "another-pass-123"))

    refused(fanwen(env, "restore", str(seeded["archive"])), "目标数据库不是空的")
    ok(fanwen(env, "restore", str(seeded["archive"]), "--force"))

    assert scenario(env, "facts") == seeded["before"]


def test_backup_will_not_overwrite_an_archive_without_force(seeded: dict) -> None:
    refused(fanwen(seeded["env"], "backup", str(seeded["archive"])), "备份文件已存在")


def test_backup_while_the_site_writes_is_consistent(seeded: dict, tmp_path: Path) -> None:
    data = tmp_path / "live"
    shutil.copytree(seeded["data"], data)
    env = scratch_env(data)
    writer = subprocess.Popen([sys.executable, "-m", "tests.backups.scenario", "churn", str(tmp_path)], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "started").exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        ok(fanwen(env, "backup", str(tmp_path / "live.tar")))
    finally:
        (tmp_path / "stop").touch()
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-2000:]
    restored = scratch_env(tmp_path / "restored")

    ok(fanwen(restored, "restore", str(tmp_path / "live.tar")))

    assert "ledger ok" in ok(fanwen(restored, "ledger", "check"))
    balances = scenario(restored, "facts")["balances"]
    credited = balances["wallet:1"] - seeded["before"]["balances"]["wallet:1"]
    assert credited > 0  # the backup caught the writer mid-way, and every credit it holds balances
    assert balances["promotion:platform"] == seeded["before"]["balances"]["promotion:platform"] - credited
