"""`fanwen serve` is a real multi-worker server (granian) on a fresh data directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


@pytest.mark.xdist_group("serve")
def test_serve_on_a_fresh_data_dir(tmp_path):
    env = {**os.environ, "FANWEN_DATA_DIR": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([str(BIN / "fanwen"), "loadexamples"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "fanwen"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                status, body, _ = fetch(base + "/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("server did not answer")
        assert status == 200 and "个人党性分析报告" in body
        status, body, _ = fetch(base + "/d/1/")
        assert status == 200 and "解锁全文" in body
        assert "三是要坚持学以致用" not in body
        status, _, _ = fetch(base + "/static/fanwen/site.css")
        assert status == 200
        status, body, _ = fetch(base + "/d/424242/")
        assert status == 404 and "页面不存在" in body and "Traceback" not in body
        assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"
    finally:
        server.send_signal(signal.SIGTERM)  # `fanwen serve` stops granian and its worker itself
        try:
            out = server.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise AssertionError("fanwen serve did not stop within 60 s of SIGTERM") from None
    assert "granian" in out.lower()
    assert "三是要坚持学以致用" not in out  # logs never carry document text
