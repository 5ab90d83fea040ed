"""Running ``fanwen`` and the scenario in child processes against a scratch data dir/database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FANWEN = str(Path(sys.executable).parent / "fanwen")


def scratch_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FANWEN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="fanwen.settings.embedded",
               FANWEN_EXAMPLES_DIR=str(ROOT / "examples"))
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def fanwen(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FANWEN, *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)


def scenario(env: dict[str, str], action: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "tests.backups.scenario", action], env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout) if action == "facts" else {}


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
    return proc.stdout


def refused(proc: subprocess.CompletedProcess[str], words: str) -> str:
    assert proc.returncode != 0, proc.stdout
    assert words in proc.stderr, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc.stderr
