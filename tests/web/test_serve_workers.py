"""`fanwen serve`'s workers take a connection only while free and close it after the answer, so
a slow request (a PDF render) never has others queued behind it inside its worker — and idle
connections left open by clients never hold a worker either."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.web.test_serve import BIN, free_port


@pytest.mark.xdist_group("serve")
def test_idle_client_connections_do_not_hold_the_workers(tmp_path):
    env = {**os.environ, "FANWEN_DATA_DIR": str(tmp_path / "data")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "fanwen"), "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=10).read()  # noqa: S310 (loopback only)
                break
            except OSError:
                time.sleep(0.2)
        idle = []
        for _ in range(3):  # more idle connections than workers
            conn = socket.create_connection(("127.0.0.1", port), timeout=10)
            conn.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = conn.recv(4096)
            assert answer.startswith(b"HTTP/1.1 200") and b"connection: close" in answer.lower()
            idle.append(conn)
        with urllib.request.urlopen(base + "/robots.txt", timeout=10) as response:  # noqa: S310 (loopback only)
            assert response.status == 200
        for conn in idle:
            conn.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
