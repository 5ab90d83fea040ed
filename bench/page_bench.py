"""Anonymous document page vs a bare Django view returning the same bytes.

Same server (granian, WSGI), same worker count, same settings and middleware; wrk on
loopback drives both, alternating A/B rounds so machine noise hits both alike.
Target: the page serves at least 50% of the bare view's requests per second.

    .venv/bin/python bench/page_bench.py --workers 2 --seconds 8 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": float(p50.group(1)) * scale[p50.group(2)], "non2xx": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk: apt-get install wrk")

    data = Path(tempfile.mkdtemp(prefix="fanwen-pagebench-"))
    env = {**os.environ, "FANWEN_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
           "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([BIN / "fanwen", "loadexamples"], env=env, check=True, capture_output=True)
    subprocess.run([BIN / "fanwen", "collectstatic", "--noinput"], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    body_file = data / "page.html"
    env["FANWEN_BENCH_BODY"] = str(body_file)
    body_file.write_bytes(b"")

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [BIN / "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers), "--blocking-threads", "1", "--no-ws", "--log-level", "warning",
             "fanwen.wsgi:application"],
            env=env, cwd=ROOT, start_new_session=True,
        )

    server = start()
    try:
        wait_up(base + "/d/1/")
        page = urllib.request.urlopen(base + "/d/1/").read()  # noqa: S310
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    body_file.write_bytes(page)  # the bare view serves exactly these bytes
    server = start()
    results: dict[str, list[dict[str, float]]] = {"page": [], "bare": []}
    try:
        wait_up(base + "/bench/bare/")
        assert urllib.request.urlopen(base + "/bench/bare/").read() == page  # noqa: S310
        wrk(base + "/d/1/", 2, args.connections)  # warm up both
        wrk(base + "/bench/bare/", 2, args.connections)
        for _ in range(args.rounds):
            results["page"].append(wrk(base + "/d/1/", args.seconds, args.connections))
            results["bare"].append(wrk(base + "/bench/bare/", args.seconds, args.connections))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
        shutil.rmtree(data, ignore_errors=True)

    page_rps = statistics.median(r["rps"] for r in results["page"])
    bare_rps = statistics.median(r["rps"] for r in results["bare"])
    summary = {
        "workers": args.workers, "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
        "bytes": len(page), "page_rps": page_rps, "bare_rps": bare_rps, "ratio": page_rps / bare_rps,
        "page_p50_ms": statistics.median(r["p50_ms"] for r in results["page"]),
        "bare_p50_ms": statistics.median(r["p50_ms"] for r in results["bare"]),
        "non2xx": sum(r["non2xx"] for rs in results.values() for r in rs), "rounds_detail": results,
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "page_bench.json").write_text(json.dumps(summary, indent=2))
    print(f"anonymous document page: {page_rps:8.0f} req/s  p50 {summary['page_p50_ms']:.2f} ms  ({len(page)} bytes)")
    print(f"bare Django view, same bytes: {bare_rps:8.0f} req/s  p50 {summary['bare_p50_ms']:.2f} ms")
    print(f"ratio page/bare: {summary['ratio']:.2f}  (target >= 0.50)  non-2xx: {summary['non2xx']}")


if __name__ == "__main__":
    main()
