"""`fanwen serve --no-worker` serves the web only (under systemd the worker is its own unit,
deploy/fanwen-worker.service); without the flag, serve starts `fanwen worker` beside granian."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.test_serve import BIN, free_port


def _group_commands(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True, check=False).stdout
    commands = []
    for pid in out.split():
        try:
            commands.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return commands


@pytest.mark.xdist_group("serve")
@pytest.mark.parametrize("flags, workers_expected", [([], 1), (["--no-worker"], 0)])
def test_serve_starts_the_worker_unless_told_not_to(tmp_path, flags, workers_expected):
    env = {**os.environ, "FANWEN_DATA_DIR": str(tmp_path / "data")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "fanwen"), "serve", "--port", str(port), "--workers", "1", *flags],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=10).read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)  # the worker, when started, is up by now
        workers = [c for c in _group_commands(server.pid) if c.rstrip().endswith("fanwen worker")]
        assert len(workers) == workers_expected, _group_commands(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
