"""fanwen serve [--host H] [--port P] [--workers N]: the production server (granian)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.jobs.deploy import require_migrated
from fanwen.web.site_url import serve_site_url


def prometheus_multiproc_dir() -> str:
    """The granian workers count requests and renders each in its own process; with
    PROMETHEUS_MULTIPROC_DIR set (default ``$FANWEN_DATA_DIR/prometheus``) they write to files
    there and a scrape of /metrics on any worker sums them.  Its files are removed at every start: the
    counters of a previous run's processes would otherwise be summed in for ever."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(settings.DATA_DIR / "prometheus")
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):  # prometheus_client's files only
            os.unlink(os.path.join(path, name))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


class Command(BaseCommand):
    help = "用 granian 启动网站（多进程）和后台任务进程；启动前收集静态文件（内嵌模式还会迁移数据库，生产环境须先运行 fanwen migrate）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # Two single-thread workers per CPU (at least 4): a worker waiting on the database or
        # rendering a PDF (at most one fewer than the CPUs at a time: access/download_slot.py)
        # leaves others to answer pages; with 2 workers, 20 PDF downloads starved the pages
        # (bench/download_contention.py, docs/benchmarks.md).
        parser.add_argument("--workers", type=int, default=max(4, 2 * (os.cpu_count() or 1)))
        # Under systemd the worker is its own unit (deploy/fanwen-worker.service): serve only the web.
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程（由 fanwen worker 单独运行）")

    def handle(self, *args: Any, **options: Any) -> None:
        # Embedded (one machine): migrate now.  Production: `fanwen migrate` is a deploy step
        # run once before the hosts start; refuse to serve a database that lacks a migration.
        require_migrated("serve")
        # Per host: each serves its own copy of the static files.
        call_command("collectstatic", interactive=False, verbosity=0)
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which("granian")
        if not granian:
            raise CommandError("granian is not installed: run `make install`")
        # Absolute links (canonical, sitemap, robots.txt, feeds) name the address served on,
        # unless FANWEN_SITE_URL says otherwise (the public address behind a proxy).
        site = os.environ.setdefault("FANWEN_SITE_URL", serve_site_url(options["host"], options["port"]))
        self.stdout.write(
            f"范文库 serving on http://{options['host']}:{options['port']}/  (workers: {options['workers']}; "
            f"links name {site})"
        )
        self.stdout.flush()
        argv = [
            granian,
            "--interface", "wsgi",
            "--host", options["host"],
            "--port", str(options["port"]),
            "--workers", str(options["workers"]),
            "--blocking-threads", "1",
            # A worker takes a connection only while its thread is free and closes it after the
            # response (the sync model, as gunicorn's sync workers): a request never queues behind
            # a slow one (a PDF render) inside a busy worker while another worker is idle.
            "--backpressure", "1",
            "--no-http1-keep-alive",
            "--static-path-route", "/static",
            "--static-path-mount", str(settings.STATIC_ROOT),
            "--no-ws",
            "fanwen.wsgi:application",
        ]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        os.environ["FANWEN_WEB_WORKERS"] = str(options["workers"])  # sizes the PDF render slots
        prometheus_multiproc_dir()  # before the workers start: they count into its files
        fanwen = os.path.join(os.path.dirname(sys.executable), "fanwen")
        with_worker = not options["no_worker"]
        worker = subprocess.Popen([fanwen, "worker"]) if with_worker else None  # noqa: S603  search, expiry, refunds
        server = subprocess.Popen(argv)  # noqa: S603
        stopping = {"now": False}

        def stop(signum: int, frame: object) -> None:
            stopping["now"] = True
            server.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while server.poll() is None:
                if worker is not None and worker.poll() is not None and not stopping["now"]:
                    self.stderr.write("worker exited; restarting it")
                    worker = subprocess.Popen([fanwen, "worker"])  # noqa: S603
                time.sleep(0.5)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
        raise SystemExit(server.returncode or 0)
