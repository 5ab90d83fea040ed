"""`fanwen serve` on a free port for the contention benchmarks: started in its own session,
waited for, and stopped (its whole process group) whatever happens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


@contextmanager
def running_server(env: dict[str, str], *, workers: int | None = None) -> Iterator[str]:
    """Yields the base URL of a `fanwen serve` (its default workers unless given)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    extra = ["--workers", str(workers)] if workers else []
    server = subprocess.Popen(
        [BIN / "fanwen", "serve", "--port", str(port), *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)
