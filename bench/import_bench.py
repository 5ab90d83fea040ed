"""Import throughput against the bare parse+segment rate, side by side in one run (issue #2).

    .venv/bin/python bench/import_bench.py --docs 10000            # what `make bench` runs
    .venv/bin/python bench/import_bench.py --docs 10000 --corpus /tmp/c10k --keep   # reuse a corpus
    .venv/bin/python bench/import_bench.py --docs 10000 --profile  # also profile the in-process import

One run, in this order, on the same files (so the ratios hold on a noisy machine):

1. bare parse+segment, pass 1: for every file, read its bytes, ``reader.read_bytes``,
   then ``segment.tokens`` of the title and of every block; then, for context only,
   the same without segmentation (parse only);
2. process startup: ``fanwen import EMPTY_DIR --price 5 --json`` on a fresh data
   directory (Django setup + the automatic migration of the embedded profile);
3. ``fanwen import CORPUS --price 5 --json`` as a subprocess on a fresh
   FANWEN_DATA_DIR (embedded SQLite): wall time, peak RSS and CPU of that very
   process (``os.wait4``), and a check that every file was imported, none failed,
   and the database holds one document and one outbox row per file;
4. the same import in one process: a worker sets Django up on another fresh data
   directory, migrates, then times only the ``document_import_path`` loop;
5. bare parse+segment, pass 2 (the bare rate is taken over both passes).

Rates are documents and megabytes (10^6 bytes of the files as stored) per second of
wall time.  Results go to ``bench/out/import-<time>.json`` and ``bench/out/import-latest.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
WITH_DUPLICATE_CHECK = False  # --with-duplicate-check
OUT_DIR = BENCH_DIR / "out"
TARGET_RATIO = 0.5

if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import gen_corpus  # noqa: E402

# --------------------------------------------------------------------------- helpers


def _machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "git": _git(),
    }


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"head": run("rev-parse", "--short", "HEAD"), "dirty": run("status", "--porcelain", "--", "fanwen").splitlines()}


def _rate(docs: int, size: int, seconds: float, cpu: float) -> dict[str, float]:
    """Per second of wall time, and per CPU-second of the process doing the work.

    On a shared machine the wall rates move with other people's load; the CPU rates
    move much less, so both are kept and both are compared."""
    seconds = max(seconds, 1e-9)
    cpu = max(cpu, 1e-9)
    return {
        "seconds": round(seconds, 3),
        "docs_per_s": round(docs / seconds, 1),
        "mb_per_s": round(size / seconds / 1e6, 2),
        "cpu_s": round(cpu, 3),
        "docs_per_cpu_s": round(docs / cpu, 1),
    }


def _fanwen_command() -> str:
    candidate = Path(sys.executable).parent / "fanwen"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("fanwen")
    if not found:
        raise SystemExit("cannot find the fanwen console command next to this python or on PATH")
    return found


def _django_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["FANWEN_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run_measured(argv: list[str], *, env: dict[str, str], workdir: Path, label: str) -> dict[str, Any]:
    """Run a child; wall time and the rusage of that child alone (os.wait4)."""
    stdout_path = workdir / f"{label}.stdout"
    stderr_path = workdir / f"{label}.stderr"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 already
    return {
        "argv": argv,
        "returncode": proc.returncode,
        "wall_s": round(wall, 3),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stdout": stdout_path,
        "stderr": stderr_path,
    }


def _db_counts(data_dir: Path) -> dict[str, int]:
    path = data_dir / "fanwen.sqlite3"
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("library_document", "library_block", "search_indexoutbox")
        }
    finally:
        con.close()
    size = sum(p.stat().st_size for p in data_dir.glob("fanwen.sqlite3*"))
    return {**counts, "db_bytes": size}


# --------------------------------------------------------------------------- phases


def bare_pass(files: list[Path]) -> dict[str, Any]:
    from fanwen.core.reader import read_bytes
    from fanwen.core.segment import tokens

    tokens("预热：加载词典与繁简转换")  # rjieba and OpenCC load lazily; keep that out of the timing
    n_tokens = size = 0
    cpu0 = time.process_time()
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        size += len(data)
        document = read_bytes(data, name=str(path))
        n_tokens += len(tokens(document.title))
        for block in document.blocks:
            n_tokens += len(tokens(block.text))
    seconds = time.perf_counter() - started
    return {
        **_rate(len(files), size, seconds, time.process_time() - cpu0),
        "docs": len(files),
        "bytes": size,
        "tokens": n_tokens,
    }


def parse_pass(files: list[Path]) -> dict[str, Any]:
    """Context only: read + ``read_bytes`` without segmentation (import itself does not segment)."""
    from fanwen.core.reader import read_bytes

    size = blocks = 0
    cpu0 = time.process_time()
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        size += len(data)
        blocks += len(read_bytes(data, name=str(path)).blocks)
    seconds = time.perf_counter() - started
    return {**_rate(len(files), size, seconds, time.process_time() - cpu0), "blocks": blocks}


def import_subprocess(corpus: Path, files: int, size: int, workdir: Path, price: str) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="data-cli-", dir=workdir))
    # The import itself; its near-duplicate check (a separate cost, measured with
    # --with-duplicate-check) is left to the worker, as `--no-duplicate-check` does for bulk loads.
    argv = [_fanwen_command(), "import", str(corpus), "--price", price, "--json",
            *([] if WITH_DUPLICATE_CHECK else ["--no-duplicate-check"])]
    run = _run_measured(argv, env=_django_env(data_dir), workdir=workdir, label="import")
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    for line in run["stdout"].read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        statuses[row["status"]] += 1
        if row["status"] == "failed" and len(errors) < 5:
            errors.append(row["error"])
    stderr_tail = run["stderr"].read_text(encoding="utf-8", errors="replace")[-2000:]
    db = _db_counts(data_dir) if (data_dir / "fanwen.sqlite3").exists() else {}
    ok = (
        run["returncode"] == 0
        and statuses.get("imported", 0) == files
        and statuses.get("failed", 0) == 0
        and db.get("library_document") == files
        and db.get("search_indexoutbox") == files
    )
    return {
        **_rate(files, size, run["wall_s"], run["user_s"] + run["sys_s"]),
        **{k: v for k, v in run.items() if k not in ("stdout", "stderr")},
        "statuses": dict(statuses),
        "errors": errors,
        "stderr_tail": stderr_tail if not ok else "",
        "db": db,
        "ok": ok,
    }


def startup(workdir: Path, price: str) -> dict[str, Any]:
    """`fanwen import` of an empty directory: fresh data dir (auto-migrate), then again (migrated)."""
    empty = Path(tempfile.mkdtemp(prefix="empty-", dir=workdir))
    data_dir = Path(tempfile.mkdtemp(prefix="data-startup-", dir=workdir))
    argv = [_fanwen_command(), "import", str(empty), "--price", price, "--json"]
    fresh = _run_measured(argv, env=_django_env(data_dir), workdir=workdir, label="startup-fresh")
    warm = _run_measured(argv, env=_django_env(data_dir), workdir=workdir, label="startup-migrated")
    return {
        "fresh_s": fresh["wall_s"],
        "fresh_cpu_s": round(fresh["user_s"] + fresh["sys_s"], 3),
        "migrated_s": warm["wall_s"],
        "fresh_peak_rss_mb": fresh["peak_rss_mb"],
        "ok": fresh["returncode"] == 0 and warm["returncode"] == 0,
    }


def import_in_process(
    corpus: Path, files: int, size: int, workdir: Path, price: str, *, profile: Path | None = None, limit: int = 0
) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="data-inproc-", dir=workdir))
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", "--corpus", str(corpus), "--price", price]
    if profile is not None:
        argv += ["--profile-out", str(profile), "--limit", str(limit)]
    run = _run_measured(argv, env=_django_env(data_dir), workdir=workdir, label="inprocess")
    if run["returncode"] != 0:
        raise SystemExit("in-process worker failed:\n" + run["stderr"].read_text(errors="replace")[-3000:])
    result = json.loads(run["stdout"].read_text().splitlines()[-1])
    done = result["docs"]
    part_size = size if done == files else result["bytes"]
    return {
        **_rate(done, part_size, result["loop_s"], result["loop_cpu_s"]),
        "setup_s": result["setup_s"],
        "statuses": result["statuses"],
        "process_wall_s": run["wall_s"],
        "peak_rss_mb": run["peak_rss_mb"],
        "ok": result["statuses"].get("imported", 0) == done and not result["statuses"].get("failed"),
    }


def worker(corpus: Path, price: str, profile_out: Path | None, limit: int) -> None:
    """Runs in a child with FANWEN_DATA_DIR set: set up, migrate, then time the import loop only."""
    t0 = time.perf_counter()
    import django

    django.setup()
    from django.core.management import call_command

    from fanwen.core.money import yuan_to_fen
    from fanwen.core.reader import iter_document_files
    from fanwen.library.services import document_import_path

    call_command("migrate", interactive=False, verbosity=0)
    files = iter_document_files([corpus])
    if limit:
        files = files[:limit]
    price_fen = yuan_to_fen(price)
    setup_s = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in files)
    statuses: Counter[str] = Counter()
    profiler = cProfile.Profile() if profile_out else None
    cpu0 = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for path in files:
        statuses[document_import_path(path=path, price_fen=price_fen).status] += 1
    if profiler:
        profiler.disable()
    loop_s = time.perf_counter() - started
    loop_cpu = time.process_time() - cpu0
    if profiler and profile_out:
        profiler.dump_stats(profile_out)
    print(
        json.dumps(
            {
                "docs": len(files),
                "bytes": size,
                "loop_s": round(loop_s, 3),
                "loop_cpu_s": round(loop_cpu, 3),
                "setup_s": round(setup_s, 3),
                "statuses": dict(statuses),
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def profile_report(path: Path, top: int = 25) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


# --------------------------------------------------------------------------- main


def ensure_corpus(path: Path, docs: int, seed: int, encoding: str, jobs: int) -> dict[str, Any]:
    manifest = gen_corpus.read_manifest(path)
    if gen_corpus.corpus_matches(manifest, docs=docs, seed=seed, encoding=encoding):
        assert manifest is not None
        print(f"reusing corpus {path} ({docs} documents)", file=sys.stderr)
        return {**manifest, "reused": True}
    if path.exists() and any(path.iterdir()) and manifest is None:
        raise SystemExit(f"{path} is not empty and holds no corpus.json; give an empty or new directory")
    if path.exists():
        shutil.rmtree(path)
    print(f"generating {docs} documents into {path} …", file=sys.stderr)
    generator = gen_corpus.CorpusGenerator(seed=seed, encoding=encoding)
    manifest = gen_corpus.write_corpus(generator, path, docs, jobs=jobs, quiet=True)
    return {**manifest, "reused": False}


def _median_phase(rounds: list[dict[str, Any]], key: str) -> dict[str, Any]:
    rows = [r[key] for r in rounds]
    if len(rows) == 1 or "docs_per_s" not in rows[0]:
        return rows[len(rows) // 2]
    merged = dict(rows[0])
    for field in ("seconds", "docs_per_s", "mb_per_s", "cpu_s", "docs_per_cpu_s"):
        merged[field] = round(statistics.median(r[field] for r in rows), 3)
    return merged


def run_round(corpus: Path, files: list[Path], size: int, workdir: Path, price: str) -> dict[str, Any]:
    n = len(files)
    bare1 = bare_pass(files)
    parse = parse_pass(files)
    boot = startup(workdir, price)
    cli = import_subprocess(corpus, n, size, workdir, price)
    inproc = import_in_process(corpus, n, size, workdir, price)
    bare2 = bare_pass(files)
    both = _rate(2 * n, 2 * size, bare1["seconds"] + bare2["seconds"], bare1["cpu_s"] + bare2["cpu_s"])
    net = _rate(n, size, cli["wall_s"] - boot["fresh_s"], cli["cpu_s"] - boot["fresh_cpu_s"])
    return {
        "bare_pass1": bare1,
        "bare_pass2": bare2,
        "bare": {**both, "docs": 2 * n},
        "parse_only": parse,
        "startup": boot,
        "import_cli": cli,
        "import_cli_net_of_startup": net,
        "import_in_process": inproc,
    }


def _ratio(a: dict[str, Any], b: dict[str, Any], per: str = "docs_per_s") -> float:
    return round(a[per] / b[per], 3)


_COMPARED = ("import_cli", "import_cli_net_of_startup", "import_in_process", "parse_only")


def _round_ratios(r: dict[str, Any], per: str = "docs_per_s") -> dict[str, float]:
    return {k: _ratio(r[k], r["bare"], per) for k in _COMPARED}


def _median_ratio(rounds: list[dict[str, Any]], key: str, per: str = "docs_per_s") -> float:
    return round(statistics.median(_round_ratios(r, per)[key] for r in rounds), 3)


def print_table(result: dict[str, Any]) -> None:
    s = result["summary"]
    rows = [
        ("bare parse+segment, pass 1", s["bare_pass1"]),
        ("bare parse+segment, pass 2", s["bare_pass2"]),
        ("bare parse+segment, both passes", s["bare"]),
        ("fanwen import (subprocess, wall)", s["import_cli"]),
        ("fanwen import, wall − startup", s["import_cli_net_of_startup"]),
        ("document_import_path loop (in process)", s["import_in_process"]),
        ("context: parse only, no segmentation", s["parse_only"]),
    ]
    bare = s["bare"]
    print()
    print(f"{'phase':<42} {'wall s':>7} {'docs/s':>8} {'MB/s':>6} {'÷bare':>6} {'CPU s':>7} {'docs/CPU-s':>10} {'÷bare':>6}")
    print("-" * 98)
    for label, row in rows:
        print(
            f"{label:<42} {row['seconds']:>7.2f} {row['docs_per_s']:>8.1f} {row['mb_per_s']:>6.2f} {_ratio(row, bare):>6.2f}"
            f" {row['cpu_s']:>7.2f} {row['docs_per_cpu_s']:>10.1f} {_ratio(row, bare, 'docs_per_cpu_s'):>6.2f}"
        )
    boot = s["startup"]
    cli = s["import_cli"]
    print("-" * 98)
    print(f"process startup + migrate (empty dir, fresh data dir): {boot['fresh_s']:.2f} s; migrated: {boot['migrated_s']:.2f} s")
    print(f"import process: peak RSS {cli['peak_rss_mb']:.1f} MB, CPU user {cli['user_s']:.2f} s + sys {cli['sys_s']:.2f} s")
    print(f"import reported: {cli['statuses']}; database: {cli['db']}")
    if len(result["rounds"]) > 1:
        per_round = ", ".join(f"{r['import_cli']:.2f}" for r in result["ratios_per_round"])
        print(f"rows are medians over {len(result['rounds'])} rounds; import/bare per round: {per_round}")
    ratio = result["ratio_import_over_bare"]
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"ratio import/bare (docs/s, subprocess wall, median of rounds): {ratio:.2f}  — {verdict} the target of {TARGET_RATIO:.2f}")
    print(f"ratio in-process import/bare: {result['ratio_in_process_over_bare']:.2f}")
    print(
        f"same ratios by CPU time (less sensitive to other load): import/bare {result['cpu_ratio_import_over_bare']:.2f},"
        f" in-process/bare {result['cpu_ratio_in_process_over_bare']:.2f}"
    )
    load = result["machine"]["loadavg_at_start"], result["loadavg_at_end"]
    print(f"load average at start {load[0]}, at end {load[1]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, help="corpus directory, generated or reused (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and data directories")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--encoding", choices=gen_corpus.ENCODINGS, default="mix")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for generating the corpus")
    parser.add_argument("--price", default="5")
    parser.add_argument(
        "--rounds", type=int, default=3, help="repeat the whole sequence (default 3); figures are medians"
    )
    parser.add_argument("--with-duplicate-check", action="store_true",
                        help="let `fanwen import` run its near-duplicate check per file (a separate cost)")
    parser.add_argument("--profile", action="store_true", help="also cProfile an in-process import (not timed)")
    parser.add_argument("--profile-docs", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    # Internal: the in-process worker.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global WITH_DUPLICATE_CHECK
    WITH_DUPLICATE_CHECK = args.with_duplicate_check

    if args.worker:
        worker(args.corpus, args.price, args.profile_out, args.limit)
        return

    from fanwen.core.reader import iter_document_files

    machine = _machine()
    workdir = Path(tempfile.mkdtemp(prefix="fanwen-bench-"))
    corpus = args.corpus or workdir / "corpus"
    try:
        gen_started = time.perf_counter()
        manifest = ensure_corpus(corpus, args.docs, args.seed, args.encoding, args.jobs)
        gen_s = time.perf_counter() - gen_started
        files = iter_document_files([corpus])
        size = sum(p.stat().st_size for p in files)
        if len(files) != args.docs:
            raise SystemExit(f"{corpus} holds {len(files)} files, expected {args.docs}")

        rounds = []
        for number in range(1, args.rounds + 1):
            print(f"round {number}/{args.rounds} …", file=sys.stderr)
            rounds.append(run_round(corpus, files, size, workdir, args.price))
        keys = rounds[0].keys()
        summary = {k: _median_phase(rounds, k) for k in keys}
        summary["import_cli"] = {
            **_median_phase(rounds, "import_cli"),
            "peak_rss_mb": max(r["import_cli"]["peak_rss_mb"] for r in rounds),
            "ok": all(r["import_cli"]["ok"] for r in rounds),
        }
        result: dict[str, Any] = {
            "benchmark": "import",
            "command": " ".join([Path(sys.executable).name, "bench/import_bench.py", *(argv or sys.argv[1:])]),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine,
            "corpus": {**manifest, "path": str(corpus), "files": len(files), "bytes_on_disk": size, "setup_s": round(gen_s, 2)},
            "rounds": rounds,
            "summary": summary,
            # Each round's import against that round's own bare passes, then the median over rounds.
            "ratios_per_round": [_round_ratios(r) for r in rounds],
            "cpu_ratios_per_round": [_round_ratios(r, "docs_per_cpu_s") for r in rounds],
            "cpu_ratio_import_over_bare": _median_ratio(rounds, "import_cli", "docs_per_cpu_s"),
            "cpu_ratio_in_process_over_bare": _median_ratio(rounds, "import_in_process", "docs_per_cpu_s"),
            "ratio_import_over_bare": _median_ratio(rounds, "import_cli"),
            "ratio_import_net_over_bare": _median_ratio(rounds, "import_cli_net_of_startup"),
            "ratio_in_process_over_bare": _median_ratio(rounds, "import_in_process"),
            "target_ratio": TARGET_RATIO,
        }
        result["meets_target"] = result["ratio_import_over_bare"] >= TARGET_RATIO
        result["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]

        if args.profile:
            pstats_path = args.out / "import-profile.pstats"
            args.out.mkdir(parents=True, exist_ok=True)
            limit = min(args.profile_docs, len(files))
            prof = import_in_process(corpus, limit, size, workdir, args.price, profile=pstats_path, limit=limit)
            result["profile"] = {"pstats": str(pstats_path), "docs": limit, "docs_per_s_under_profiler": prof["docs_per_s"]}

        args.out.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for name in (f"import-{stamp}.json", "import-latest.json"):
            (args.out / name).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")

        print(f"corpus: {len(files)} files, {size / 1e6:.1f} MB, mean {manifest.get('mean_chars')} characters, "
              f"vocabulary {manifest.get('vocabulary')}, {manifest.get('files_by_encoding')}")
        print(f"machine: {machine['nproc']} CPUs ({machine['cpu']}), Python {machine['python']}, git {machine['git']['head']}"
              + (" (fanwen/ has uncommitted changes)" if machine["git"]["dirty"] else ""))
        print_table(result)
        if args.profile:
            print()
            print(profile_report(Path(result["profile"]["pstats"])))
        print(f"\nresults: {args.out / f'import-{stamp}.json'}")
        if not summary["import_cli"]["ok"] or not summary["import_in_process"]["ok"]:
            cli = summary["import_cli"]
            print(f"IMPORT CHECK FAILED: {cli['statuses']} {cli['errors']} {cli.get('stderr_tail', '')}", file=sys.stderr)
            raise SystemExit(1)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
