"""Backup and restore times for the examples plus N generated documents (issue #13 item 5).

    .venv/bin/python bench/backup_bench.py --docs 10000 [--corpus /tmp/c10k] [--pg postgres://postgres@127.0.0.1:5432/postgres]

For SQLite (and PostgreSQL with ``--pg``: a scratch database ``fanwen_backup_bench`` on that
server, dropped afterwards): a fresh data dir, ``fanwen loadexamples``, ``fanwen import CORPUS
--price 5 --no-duplicate-check``; then the wall time of ``fanwen backup X.tar``, ``fanwen backup
X.tar.gz`` and, after wiping (data dir deleted; database dropped and created), ``fanwen restore
X.tar`` — which includes rebuilding the search index.  Each is one child process, start-up
included.  Results: printed, and ``bench/out/backup-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FANWEN = str(Path(sys.executable).parent / "fanwen")


def run(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    proc = subprocess.run([FANWEN, *args], env=env, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"fanwen {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return time.monotonic() - started, proc.stdout


def pg_admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        for statement in statements:
            con.execute(statement)


def measure(label: str, env: dict[str, str], corpus: Path, work: Path, wipe) -> dict:  # type: ignore[no-untyped-def]
    run(env, "migrate", "--verbosity", "0")
    run(env, "loadexamples")
    import_s, _ = run(env, "import", str(corpus), "--price", "5", "--no-duplicate-check", "--json")
    out: dict = {"database": label, "import_s": round(import_s, 1)}
    for name in ("site.tar", "site.tar.gz"):
        seconds, _ = run(env, "backup", str(work / name))
        out[f"backup_{name}_s"] = round(seconds, 2)
        out[f"{name}_MB"] = round((work / name).stat().st_size / 1e6, 1)
    wipe()
    seconds, stdout = run(env, "restore", str(work / "site.tar"))
    out["restore_site.tar_s"] = round(seconds, 2)
    out["restore_says"] = stdout.strip()
    _, ledger = run(env, "ledger", "check")
    out["ledger"] = ledger.strip()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse (or write) the generated corpus here")
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL: also measure there")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fanwen-backup-bench-"))
    corpus = args.corpus or work / "corpus"
    if not corpus.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), "--docs", str(args.docs), "--out", str(corpus),
                        "--jobs", "2"], check=True, cwd=ROOT)
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    base["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    results = []
    data = work / "sqlite-data"
    env = {**base, "FANWEN_DATA_DIR": str(data)}
    (work / "sqlite").mkdir()
    results.append(measure("sqlite", env, corpus, work / "sqlite", lambda: shutil.rmtree(data)))
    if args.pg:
        parts = urlsplit(args.pg)
        scratch = urlunsplit(parts._replace(path="/fanwen_backup_bench"))
        pg_admin(args.pg, "DROP DATABASE IF EXISTS fanwen_backup_bench WITH (FORCE)", "CREATE DATABASE fanwen_backup_bench")
        pg_data = work / "pg-data"
        env = {**base, "FANWEN_DATA_DIR": str(pg_data), "DATABASE_URL": scratch}
        (work / "pg").mkdir()

        def wipe_pg() -> None:
            pg_admin(args.pg, "DROP DATABASE fanwen_backup_bench WITH (FORCE)", "CREATE DATABASE fanwen_backup_bench")
            shutil.rmtree(pg_data)

        try:
            results.append(measure("postgresql", env, corpus, work / "pg", wipe_pg))
        finally:
            pg_admin(args.pg, "DROP DATABASE IF EXISTS fanwen_backup_bench WITH (FORCE)")
    report = {"docs": args.docs + 2, "cpus": os.cpu_count(), "loadavg_at_end": os.getloadavg(), "results": results}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "backup-latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    shutil.rmtree(work / "sqlite-data", ignore_errors=True)
    shutil.rmtree(work / "pg-data", ignore_errors=True)


if __name__ == "__main__":
    main()
