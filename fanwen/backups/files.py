"""The data directory's own files: what a backup keeps and how a restore swaps them in.

Kept: everything under ``$FANWEN_DATA_DIR`` (the embedded ``secret_key``, the sandbox
provider's keys, ``files/`` = MEDIA_ROOT, and whatever a later feature writes there) except
what is rebuilt or transient, listed in ``SKIPPED``, and the SQLite database itself (copied
through the backup API, never as a live file).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from fanwen.backups.databases import sqlite_path

# search: rebuilt on restore; cache: the embedded file cache; static: collectstatic output;
# locks, upload.lock: flock files of running processes.
SKIPPED = frozenset({"search", "cache", "static", "locks", "upload.lock"})
STAGING_PREFIXES = (".fanwen-backup-", ".fanwen-restore-", ".fanwen-old-")


def _excluded_paths() -> set[Path]:
    db = sqlite_path().resolve() if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else None
    if db is None:
        return set()
    return {db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


def kept_top_level(data_dir: Path) -> list[Path]:
    """Top-level entries of the data directory that a backup keeps."""
    if not data_dir.is_dir():
        return []
    excluded = _excluded_paths()
    return sorted(
        entry for entry in data_dir.iterdir()
        if entry.name not in SKIPPED and not entry.name.startswith(STAGING_PREFIXES) and entry.resolve() not in excluded
        and not entry.is_symlink()
    )


def copy_out(dest: Path, *, skip: list[Path]) -> int:
    """Copy the kept files into ``dest``; return how many."""
    data_dir = Path(settings.DATA_DIR).resolve()
    skipped = {p.resolve() for p in skip}
    count = 0
    for top in kept_top_level(data_dir):
        candidates = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file() and not p.is_symlink())
        for src in candidates:
            if src.resolve() in skipped or any(parent in skipped for parent in src.resolve().parents):
                continue
            target = dest / src.relative_to(data_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            count += 1
    return count


@dataclass
class Swap:
    """Moves the current kept entries aside and the restored ones in; ``undo`` puts them back."""

    data_dir: Path
    aside: Path
    moved_out: list[str] = field(default_factory=list)
    moved_in: list[str] = field(default_factory=list)
    count: int = 0

    def undo(self) -> None:
        for name in self.moved_in:
            target = self.data_dir / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        for name in self.moved_out:
            os.replace(self.aside / name, self.data_dir / name)
        shutil.rmtree(self.aside, ignore_errors=True)

    def commit(self) -> None:
        shutil.rmtree(self.aside, ignore_errors=True)


def swap_in(restored: Path, *, data_dir: Path) -> Swap:
    aside = data_dir / f".fanwen-old-{uuid.uuid4().hex[:8]}"
    aside.mkdir()
    swap = Swap(data_dir=data_dir, aside=aside)
    try:
        for entry in kept_top_level(data_dir):
            os.replace(entry, aside / entry.name)
            swap.moved_out.append(entry.name)
        if restored.is_dir():
            swap.count = sum(1 for p in restored.rglob("*") if p.is_file())
            for entry in sorted(restored.iterdir()):
                os.replace(entry, data_dir / entry.name)
                swap.moved_in.append(entry.name)
    except OSError:
        swap.undo()
        raise
    return swap

