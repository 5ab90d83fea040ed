"""Readers while 20 buyers download PDFs at once (issue #10, "readers are not starved"),
against a real server.  Target: the anonymous document page's p50 under load ≤ 3× its idle p50.

    .venv/bin/python bench/download_contention.py [--workers N] [--clients 20] [--seconds 20]

Starts `fanwen serve` (granian; its default workers unless --workers) on a fresh data directory with the issue's
5,000-character document (8 headings), grants it to one buyer and signs the buyer in.  It
measures the anonymous document page (`/d/<id>/`, a new connection each time, like a new
visitor) alone, then again while ``--clients`` threads download `/d/<id>/download/pdf/` as
that buyer in a loop.  A download refused with 503 (every PDF render slot taken) waits its
Retry-After before asking again, as a browser user pressing 重新下载 would.  Prints both
p50s and their ratio, the PDFs delivered per second, the downloads' p50 latency and the
503 count.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.download_bench import document_text
from bench.live_server import running_server

BIN = Path(sys.executable).parent


def page_latencies(url: str, *, count: int | None = None, until: threading.Event | None = None) -> list[float]:
    out: list[float] = []
    while (count is None or len(out) < count) and not (until is not None and until.is_set()):
        start = time.perf_counter()
        response = requests.get(url, timeout=60, headers={"Connection": "close"})
        out.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        time.sleep(0.05)
    return out


def download_clients(base: str, cookies: dict[str, str], count: int, done: Any, results: Any) -> None:
    """``count`` buyers downloading the PDF in a loop until ``done``; a 503 waits its Retry-After."""
    delivered: list[float] = []
    busy: list[float] = []
    other: list[int] = []
    lock = threading.Lock()

    def download() -> None:
        while not done.is_set():
            start = time.perf_counter()
            response = requests.get(
                f"{base}/d/1/download/pdf/", cookies=cookies, timeout=120, headers={"Connection": "close"}
            )
            took = time.perf_counter() - start
            with lock:
                if response.status_code == 200 and response.content.startswith(b"%PDF"):
                    delivered.append(took)
                elif response.status_code == 503:
                    busy.append(took)
                else:
                    other.append(response.status_code)
            if response.status_code == 503:
                done.wait(float(response.headers.get("Retry-After", "1")))

    threads = [threading.Thread(target=download) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((delivered, busy, other))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=0, help="granian workers (default: fanwen serve's own)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle", type=int, default=100)
    parser.add_argument("--page", default="/d/1/", help="the page readers ask for (default: the document page)")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="fanwen-dlcontention-")
    env = {
        **os.environ, "FANWEN_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "fanwen.settings.embedded",
        "FANWEN_DOWNLOADS_PER_DAY": "1000000",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    source = Path(data_dir) / "report.txt"
    source.write_text(document_text(5000), encoding="utf-8")
    subprocess.run([BIN / "fanwen", "import", str(source), "--price", "5"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([BIN / "fanwen", "useradd", "buyer", "--password", "buyer-pass-1x"], env=env, check=True)
    subprocess.run([BIN / "fanwen", "grant", "buyer", "1"], env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        with running_server(env, workers=args.workers or None) as base:
            measure(args, base)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args: argparse.Namespace, base: str) -> None:
    page = f"{base}{args.page}"
    session = requests.Session()
    session.get(base + "/accounts/login/")
    session.post(
        base + "/accounts/login/",
        data={"username": "buyer", "password": "buyer-pass-1x", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": base + "/accounts/login/"},
    )
    cookies = session.cookies.get_dict()
    first = requests.get(f"{base}/d/1/download/pdf/", cookies=cookies, timeout=60)
    assert first.status_code == 200 and first.content.startswith(b"%PDF"), first.status_code
    page_latencies(page, count=10)  # warm the page cache and every worker
    idle = page_latencies(page, count=args.idle)

    done = multiprocessing.Event()
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    # The downloading clients run in a process of their own, so their threads do not
    # slow the page timer down through this process's GIL.
    clients = multiprocessing.Process(target=download_clients, args=(base, cookies, args.clients, done, results))
    load_start = time.perf_counter()
    clients.start()
    time.sleep(1.0)
    stop_pages = threading.Event()
    timer = threading.Timer(args.seconds, stop_pages.set)
    timer.start()
    loaded = page_latencies(page, until=stop_pages)
    done.set()
    delivered, busy, other = results.get(timeout=180)
    clients.join()
    total = time.perf_counter() - load_start
    idle_p50, loaded_p50 = statistics.median(idle), statistics.median(loaded)
    shown = args.workers or f"serve's default ({max(4, 2 * (os.cpu_count() or 1))})"
    print(f"workers {shown} on {os.cpu_count()} CPUs, {args.clients} PDF clients, {args.seconds:.0f} s under load")
    print(f"anonymous page p50: idle {idle_p50 * 1000:.1f} ms ({len(idle)} requests), "
          f"during downloads {loaded_p50 * 1000:.1f} ms ({len(loaded)} requests, "
          f"worst {max(loaded) * 1000:.0f} ms) -> ratio {loaded_p50 / idle_p50:.2f}x (target <= 3x)")
    print(f"PDF downloads: {len(delivered)} delivered in {total:.1f} s = {len(delivered) / total:.2f}/s, "
          f"p50 {statistics.median(delivered) * 1000 if delivered else 0:.0f} ms; "
          f"{len(busy)} answered 503 (p50 {statistics.median(busy) * 1000 if busy else 0:.0f} ms, then waited Retry-After); "
          f"other statuses: {other or 'none'}")


if __name__ == "__main__":
    main()
