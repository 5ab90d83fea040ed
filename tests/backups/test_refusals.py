"""Restore refuses bad archives with a Chinese error and a non-zero exit, and changes nothing —
even with --force over a live library."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backups.helpers import fanwen, refused, scratch_env

pytestmark = pytest.mark.xdist_group("backups")


def rewrite(src: Path, dest: Path, *, manifest: Callable[[dict], None] | None = None,
            member: Callable[[str, bytes], bytes | None] | None = None, extra: tuple[str, bytes] | None = None) -> Path:
    """A copy of archive ``src`` with the manifest and/or members changed."""
    with tarfile.open(src) as tar:
        items = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(dest, "w") as out:
        for name, body in items + ([extra] if extra else []):
            if name == "manifest.json" and manifest:
                data = json.loads(body)
                manifest(data)
                body = json.dumps(data).encode()
            elif member and name != "manifest.json":
                changed = member(name, body)
                if changed is not None:
                    body = changed
            info = tarfile.TarInfo(name)
            info.size = len(body)
            out.addfile(info, io.BytesIO(body))
    return dest


def state(data: Path) -> tuple:
    """What a half-done restore would change: users, documents, balances, the secret key."""
    con = sqlite3.connect(data / "fanwen.sqlite3")
    try:
        return (
            con.execute("SELECT username FROM auth_user ORDER BY id").fetchall(),
            con.execute("SELECT title, status FROM library_document ORDER BY id").fetchall(),
            con.execute("SELECT code, balance_fen FROM commerce_account ORDER BY code").fetchall(),
            (data / "secret_key").read_text(),
            sorted(p.name for p in data.iterdir() if p.name != "cache"),
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def target(seeded: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A live library (a copy of the seeded one with one more user and another secret key)."""
    data = tmp_path_factory.mktemp("backup-target") / "data"
    shutil.copytree(seeded["data"], data)
    (data / "secret_key").write_text("a-different-secret")
    con = sqlite3.connect(data / "fanwen.sqlite3")
    con.execute("UPDATE auth_user SET username = 'renamed' WHERE username = 'nonbuyer'")
    con.commit()
    con.close()
    return {"data": data, "env": scratch_env(data), "state": state(data)}


def _garbage_db(name: str, body: bytes) -> bytes | None:
    return b"SQLite format 3\x00" + b"\x00" * 4000 if name == "database/fanwen.sqlite3" else None


def _fix_sums(archive: Path) -> Callable[[dict], None]:
    import hashlib

    def fix(manifest: dict) -> None:
        body = _garbage_db("database/fanwen.sqlite3", b"")
        assert body is not None
        manifest["members"]["database/fanwen.sqlite3"] = {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}

    return fix


CASES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "missing": (lambda src, tmp: tmp / "nowhere.tar", "找不到备份文件"),
    "random bytes": (lambda src, tmp: (tmp / "x.tar").write_bytes(b"not an archive " * 500) and tmp / "x.tar", "已损坏"),
    "truncated": (lambda src, tmp: (tmp / "t.tar.gz").write_bytes(src.read_bytes()[: src.stat().st_size // 2]) and tmp / "t.tar.gz", "损坏"),
    "member altered": (lambda src, tmp: rewrite(src, tmp / "a.tar", member=lambda n, b: b + b"x" if n == "files/secret_key" else None), "校验失败"),
    "member missing": (lambda src, tmp: rewrite(src, tmp / "m.tar", manifest=lambda m: m["members"].update({"files/gone": {"sha256": "0" * 64, "size": 1}})), "不完整"),
    "unlisted member": (lambda src, tmp: rewrite(src, tmp / "u.tar", extra=("files/../../evil", b"x")), "不安全"),
    "wrong profile": (lambda src, tmp: rewrite(src, tmp / "p.tar", manifest=lambda m: m.update(database="postgresql")), "数据库类型是 postgresql"),
    "newer fanwen": (lambda src, tmp: rewrite(src, tmp / "n.tar", manifest=lambda m: m["migrations"].append(["library", "9999_future"])), "请先升级"),
    "not a fanwen backup": (lambda src, tmp: rewrite(src, tmp / "f.tar", manifest=lambda m: m.update(format="other")), "不是 fanwen 备份"),
    "malformed manifest": (lambda src, tmp: rewrite(src, tmp / "x.tar", manifest=lambda m: m.update(migrations=7)), "清单格式不对"),
    "corrupt database": (lambda src, tmp: rewrite(src, tmp / "c.tar", member=_garbage_db, manifest=_fix_sums(src)), "数据库已损坏"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_archive_is_refused_and_nothing_changes(case: str, seeded: dict, target: dict, tmp_path: Path) -> None:
    make, words = CASES[case]
    archive = make(seeded["archive"], tmp_path)

    err = refused(fanwen(target["env"], "restore", str(archive), "--force"), words)

    assert "恢复失败" in err
    assert state(target["data"]) == target["state"]
    assert not any(p.name.startswith(".fanwen-") for p in target["data"].iterdir())
