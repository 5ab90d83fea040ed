"""One seeded embedded site and its backup, shared by the SQLite backup tests (one xdist group)."""

from __future__ import annotations

import pytest

from tests.backups.helpers import fanwen, ok, scenario, scratch_env


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A seeded embedded data dir, its facts, and a backup of it (made once)."""
    base = tmp_path_factory.mktemp("backup-sqlite")
    data = base / "data"
    env = scratch_env(data)
    ok(fanwen(env, "migrate", "--verbosity", "0"))
    scenario(env, "seed")
    before = scenario(env, "facts")
    archive = base / "site.tar.gz"
    out = ok(fanwen(env, "backup", str(archive)))
    return {"base": base, "data": data, "env": env, "before": before, "archive": archive, "out": out,
            "secret": (data / "secret_key").read_text()}
