"""`fanwen serve --port P` without FANWEN_SITE_URL: absolute links name the port it serves on."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.web.test_serve import BIN, fetch, free_port


@pytest.mark.xdist_group("serve")
def test_robots_txt_names_the_port_serve_was_started_on(tmp_path):
    env = {**os.environ, "FANWEN_DATA_DIR": str(tmp_path / "data")}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "FANWEN_SITE_URL"):
        env.pop(name, None)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "fanwen"), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(150):
            try:
                status, body, _ = fetch(f"http://127.0.0.1:{port}/robots.txt")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("server did not answer")
        assert status == 200
        assert f"Sitemap: http://127.0.0.1:{port}/sitemap.xml\n" in body
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
