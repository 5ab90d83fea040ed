"""Search benchmark (issue #5): index build, index size, query latency, HTTP latency.

    .venv/bin/python bench/search_bench.py --docs 100000 1000000      # the full run (30-60 min)
    .venv/bin/python bench/search_bench.py --docs 100000               # quick
    .venv/bin/python bench/search_bench.py --render bench/out/search/search-latest.json   # doc only

Every figure stands beside a baseline measured in the same run, on the same data, as a
ratio, because the machine is shared and noisy:

* corpus: documents ``0..N-1`` of ``bench/gen_corpus.py`` (same seed, same texts as the
  import benchmark), parsed with ``fanwen.core.format``; only the title, the FREE blocks and
  the category go into ``engine.IndexedDocument``, exactly as ``indexer.indexed_documents``
  builds them from the database (the paid blocks are dropped here, as in SQL there).  No
  database: the documents are generated once (``--jobs`` processes, not timed) into a
  compressed cache under ``--work`` and streamed from it in chunks of 1000, so a million
  documents never sit in memory at once.
* index build (one process per N, single-process Python; tantivy's writer as in
  ``indexer._rebuild_locked``: ``WRITER_HEAP``, ``num_threads=1``): wall time of
  ``doc.to_tantivy()`` + ``writer.add_document`` over all N documents, then ``commit`` and
  ``wait_merging_threads``.  Baseline: bare segmentation, ``segment.tokens(title)`` and
  ``segment.tokens(category + "\\n" + free)`` (title and free text once each; schema 2's
  ``to_tantivy`` segments the title twice and folds the stored free text, which counts
  against the build), on an even sample of the chunks, once before and once after the build.
* index size on disk (files under the index directory) beside the UTF-8 size of the
  indexed text; peak RSS (``getrusage``) of the build process beside its RSS before the build.
* query latency, same process, ``fanwen.settings.embedded`` with ``FANWEN_DATA_DIR`` on a
  fresh data directory whose ``search/index`` is the built index: (a)
  ``selectors.search_documents(q)`` (cards from the stored JSON, highlighted snippets)
  beside (b) the bare engine ``searcher.search(build_query(tokens, Filters()), 10)`` with
  no card loading and no snippets; interleaved call by call, several hundred calls each.
  For the diagnosis also (c) (b) with ``count=False`` and (d) ``IndexReader.search``
  (cards, no snippets).
* HTTP: ``fanwen serve --workers 2`` (granian + the worker) on that data directory
  (``state.json`` written so the worker does not rebuild), sequential keep-alive requests
  from this process: ``GET /api/v1/search?q=…`` beside ``GET /robots.txt``, interleaved.

Results: ``--out``/search-<time>.json and search-latest.json; the markdown report is
written to ``--doc`` (default ``--out``/search-report.md) from that JSON; docs/benchmarks.md
quotes it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import pickle
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_OUT = BENCH_DIR / "out" / "search"
DEFAULT_WORK = Path("/tmp/fanwen-search-bench")
CHUNK = 1000
CACHE_VERSION = 1
BARE_SAMPLE_MAX = 100_000  # documents in the bare-segmentation sample (each of two passes)

TARGET_BUILD_RATIO = 0.5
TARGET_P50_MS = 5.0
TARGET_P99_MS = 50.0
TARGET_HTTP_P50_MS = 15.0
TARGET_AT = 1_000_000

if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Categories: (name, slug); the generator has none, so each document draws one.
CATEGORIES = (
    ("党建工作", "dangjian"), ("心得体会", "xinde"), ("工作总结", "zongjie"), ("调研报告", "diaoyan"),
    ("讲话稿", "jianghua"), ("述职报告", "shuzhi"), ("对照检查", "duizhao"), ("党课讲稿", "dangke"),
    ("实施方案", "fangan"), ("工作计划", "jihua"), ("主题教育", "zhuti"), ("乡村振兴", "xiangcun"),
)  # fmt: skip

# (query, kind): kind is what we expect of its frequency, for reading the table only.
QUERIES: tuple[tuple[str, str], ...] = (
    ("学习", "common"),
    ("工作", "common"),
    ("发展", "common"),
    ("创新", "common"),
    ("党性分析", "title"),
    ("乡村振兴", "mid"),
    ("心得体会", "title"),
    ("调研报告", "title"),
    ("基层治理", "mid"),
    ("作风建设", "mid"),
    ("意识形态", "mid"),
    ("营商环境", "mid"),
    ("生态文明", "mid"),
    ("研修班", "rare"),
    ("碳达峰", "rare"),
    ("非物质文化遗产", "rare"),
    ("黨性分析", "traditional"),
    ("创新 能力", "two"),
    ("问题 整改", "two"),
    ("干部 作风", "two"),
    ("乡村振兴 产业", "two"),
    ("党员 教育", "two"),
    ("高质量发展 措施", "two"),
    ("数字经济 人才", "two-rare"),
    ("解放思想 改革 创新", "three"),
    ("组织部 研修班 学习", "three-rare"),
    ("党史 学习 教育", "three"),
    ("基层 党组织 建设", "three"),
    ("群众 路线 实践", "three"),
    ("工作 学习 发展", "three-common"),
)


# --------------------------------------------------------------------------- small helpers


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[k - 1]


def summary_ms(ns: list[int]) -> dict[str, float]:
    ms = [x / 1e6 for x in ns]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "max_ms": round(max(ms), 3),
    }


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def rss_mb() -> float:
    """Current RSS of this process (from /proc), MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KB on Linux


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def dir_size(path: Path) -> tuple[int, int]:
    size = files = 0
    for p in path.rglob("*"):
        if p.is_file():
            size += p.stat().st_size
            files += 1
    return size, files


def code_state() -> dict[str, Any]:
    """The commit, and whether fanwen/ differs from it: the code a phase measured."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "fanwen"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": [line[3:] for line in dirty if line.strip()]}


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for name in ("tantivy", "rjieba", "opencc", "granian", "django", "django-ninja"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "mem_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "loadavg_at_start": loadavg(),
        "code_at_start": code_state(),
    }


# --------------------------------------------------------------------------- corpus cache

_generator: Any = None


def _init_generator(seed: int) -> None:
    global _generator
    import gen_corpus

    _generator = gen_corpus.CorpusGenerator(seed=seed, encoding="utf8")


def make_record(index: int, text: str, seed: int) -> tuple[Any, ...]:
    """What indexer.indexed_documents would build for document ``index`` (its id is index+1)."""
    from fanwen.core import format as fmt
    from fanwen.core import structure

    parsed = fmt.parse_text(text)
    counts = structure.char_count(parsed.blocks)
    free = "\n".join(b.text for b in parsed.blocks if not b.paid)
    rng = random.Random(f"search-bench:{seed}:{index}")
    category = rng.randrange(len(CATEGORIES))
    created = 1_420_070_400 + rng.randrange(10 * 365 * 86400)  # 2015-01-01 + up to ten years
    views = min(int(rng.paretovariate(1.2) * 10), 1_000_000)
    price = 0 if not parsed.has_paid else rng.choice((300, 500, 800, 1000, 1500))
    return (
        index + 1, parsed.title[:200], free, category, price, counts.total, counts.free, parsed.has_paid,
        created, views,
    )


def _generate_chunk(args: tuple[int, int, int]) -> bytes:
    start, stop, seed = args
    records = [make_record(i, _generator.document(i).text, seed) for i in range(start, stop)]
    return zlib.compress(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL), 1)


def ensure_corpus(work: Path, docs: int, seed: int, jobs: int) -> dict[str, Any]:
    """A cache of documents 0..docs-1 (or more); generated only when missing or too short."""
    import gen_corpus

    work.mkdir(parents=True, exist_ok=True)
    path = work / f"corpus-seed{seed}.bin"
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        meta = {}
    if (
        meta.get("cache_version") == CACHE_VERSION
        and meta.get("generator_version") == gen_corpus.GENERATOR_VERSION
        and meta.get("docs", 0) >= docs
        and path.exists()
    ):
        meta["reused"] = True
        return meta
    # A shorter cache of the same generator and seed is extended, not regenerated.
    extend = (
        meta.get("cache_version") == CACHE_VERSION
        and meta.get("generator_version") == gen_corpus.GENERATOR_VERSION
        and meta.get("seed") == seed
        and path.exists()
        and path.stat().st_size == meta.get("compressed_bytes", -1) + 8 * meta.get("docs", 0) // CHUNK
    )
    have = int(meta["docs"]) if extend else 0
    raw = int(meta["compressed_bytes"]) if extend else 0
    seconds = float(meta["generate_seconds"]) if extend else 0.0
    meta_path.unlink(missing_ok=True)
    total = -(-docs // CHUNK) * CHUNK
    tasks = [(s, min(s + CHUNK, total), seed) for s in range(have, total, CHUNK)]
    started = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    with (
        open(path, "ab" if extend else "wb") as fh,
        ctx.Pool(max(jobs, 1), initializer=_init_generator, initargs=(seed,)) as pool,
    ):
        for n, blob in enumerate(pool.imap(_generate_chunk, tasks), start=1):
            fh.write(len(blob).to_bytes(8, "little"))
            fh.write(blob)
            raw += len(blob)
            if n % 50 == 0 or n == len(tasks):
                elapsed = time.perf_counter() - started
                done = have + n * CHUNK
                print(f"  corpus: {done:,}/{total:,} documents, {n * CHUNK / elapsed:,.0f}/s", file=sys.stderr)
    _init_generator(seed)
    meta = {
        "cache_version": CACHE_VERSION,
        **_generator.describe(),
        "docs": total,
        "chunk": CHUNK,
        "compressed_bytes": raw,
        "generate_seconds": round(seconds + time.perf_counter() - started, 1),
        "jobs": jobs,
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2))
    meta["reused"] = False
    return meta


def iter_chunks(path: Path, docs: int, *, every: int = 1) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of records, the first ``docs`` documents; with ``every`` > 1 only every k-th chunk."""
    done = 0
    n = 0
    with open(path, "rb") as fh:
        while done < docs:
            head = fh.read(8)
            if not head:
                return
            size = int.from_bytes(head, "little")
            if n % every:
                fh.seek(size, os.SEEK_CUR)
                records = None
            else:
                records = pickle.loads(zlib.decompress(fh.read(size)))  # noqa: S301 (our own cache)
            n += 1
            take = min(CHUNK, docs - done)
            done += take
            if records is not None:
                yield records[:take]


def to_indexed(records: list[tuple[Any, ...]]) -> list[Any]:
    from fanwen.search import engine

    out = []
    for doc_id, title, free, cat, price, chars_total, chars_free, has_paid, created, views in records:
        name, slug = CATEGORIES[cat]
        out.append(
            engine.IndexedDocument(
                id=doc_id, title=title, free_text=free, category_id=cat + 1, category_name=name,
                category_slug=slug, price_fen=price, chars_total=chars_total, chars_free=chars_free,
                has_paid=has_paid, created=created, views=views,
            )
        )
    return out


# --------------------------------------------------------------------------- child: build + queries


def _bare_pass(corpus: Path, docs: int, every: int) -> dict[str, Any]:
    from fanwen.core import segment

    wall = cpu = 0.0
    n = chars = 0
    for records in iter_chunks(corpus, docs, every=every):
        batch = to_indexed(records)
        c0, t0 = time.process_time(), time.perf_counter()
        for d in batch:
            segment.tokens(d.title)
            segment.tokens(f"{d.category_name}\n{d.free_text}")
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        n += len(batch)
        chars += sum(len(d.title) + len(d.free_text) for d in batch)
    return {"docs": n, "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "chars": chars,
            "docs_per_s": round(n / wall, 1), "docs_per_cpu_s": round(n / cpu, 1)}


def child_build_and_query(args: argparse.Namespace) -> dict[str, Any]:
    data_dir: Path = args.data_dir
    os.environ["FANWEN_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    import django

    django.setup()
    from django.core.management import call_command

    from fanwen.core import segment
    from fanwen.search import engine, indexer, selectors

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    out: dict[str, Any] = {
        "docs": args.child, "migrate_seconds": round(time.perf_counter() - t0, 2), "code": code_state(),
        "schema_version": engine.SCHEMA_VERSION,
    }
    docs = args.child
    corpus: Path = args.corpus
    chunks = -(-docs // CHUNK)
    every = max(1, -(-docs // BARE_SAMPLE_MAX))
    out["rss_mb_before_build"] = rss_mb()
    out["loadavg_before_build"] = loadavg()

    # Bare segmentation, pass 1.
    print(f"  [{docs:,}] bare segmentation pass 1 (every {every}. chunk of {chunks})", file=sys.stderr)
    bare1 = _bare_pass(corpus, docs, every)

    # Index build, continuous, as indexer._rebuild_locked does it.
    print(f"  [{docs:,}] index build", file=sys.stderr)
    path = indexer.index_path()
    if path.exists():
        shutil.rmtree(path)
    index = engine.create_index(path)
    writer = index.writer(heap_size=indexer.WRITER_HEAP, num_threads=1)
    t_convert = t_add = load = 0.0
    built = text_bytes = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for n, records in enumerate(iter_chunks(corpus, docs), start=1):
        l0 = time.perf_counter()
        batch = to_indexed(records)
        text_bytes += sum(len(d.title.encode()) + len(d.free_text.encode()) + len(d.category_name.encode()) for d in batch)
        load += time.perf_counter() - l0
        for d in batch:
            a = time.perf_counter()
            tdoc = d.to_tantivy()
            b = time.perf_counter()
            writer.add_document(tdoc)
            t_add += time.perf_counter() - b
            t_convert += b - a
        built += len(batch)
        if n % 100 == 0:
            rate = built / (time.perf_counter() - wall0 - load)
            print(f"  [{docs:,}] built {built:,}  {rate:,.0f} docs/s  load {loadavg()}", file=sys.stderr)
    c0 = time.perf_counter()
    writer.commit()
    t_commit = time.perf_counter() - c0
    m0 = time.perf_counter()
    writer.wait_merging_threads()
    t_merge = time.perf_counter() - m0
    wall_total = time.perf_counter() - wall0
    cpu_total = time.process_time() - cpu0
    build_seconds = wall_total - load  # the chunk loading (decompress, unpickle) is not the build
    out["rss_mb_after_build"] = rss_mb()
    out["peak_rss_mb_after_build"] = peak_rss_mb()

    # Bare segmentation, pass 2 (same sample).
    print(f"  [{docs:,}] bare segmentation pass 2", file=sys.stderr)
    bare2 = _bare_pass(corpus, docs, every)
    bare_docs = bare1["docs"] + bare2["docs"]
    bare_wall = bare1["seconds"] + bare2["seconds"]
    bare_cpu = bare1["cpu_seconds"] + bare2["cpu_seconds"]
    bare_rate = bare_docs / bare_wall
    build_rate = built / build_seconds
    out["build"] = {
        "docs": built,
        "seconds": round(build_seconds, 2),
        "docs_per_s": round(build_rate, 1),
        "cpu_seconds": round(cpu_total, 2),
        "docs_per_cpu_s": round(built / cpu_total, 1),
        "to_tantivy_seconds": round(t_convert, 2),
        "add_document_seconds": round(t_add, 2),
        "commit_seconds": round(t_commit, 2),
        "wait_merging_seconds": round(t_merge, 2),
        "chunk_loading_seconds_excluded": round(load, 2),
        "writer_heap": indexer.WRITER_HEAP,
        "writer_threads": 1,
        "indexed_text_bytes": text_bytes,
    }
    out["bare_segmentation"] = {
        "sample_every_nth_chunk": every,
        "pass1": bare1,
        "pass2": bare2,
        "docs": bare_docs,
        "seconds": round(bare_wall, 2),
        "docs_per_s": round(bare_rate, 1),
        "docs_per_cpu_s": round(bare_docs / bare_cpu, 1),
        "pass2_over_pass1": ratio(bare2["docs_per_s"], bare1["docs_per_s"]),
    }
    out["build_over_bare"] = ratio(build_rate, bare_rate)
    out["build_over_bare_cpu"] = ratio(built / cpu_total, bare_docs / bare_cpu)
    out["to_tantivy_over_bare"] = ratio(built / t_convert, bare_rate)

    # The data directory as a host would have it after a rebuild: generation + state.json.
    (indexer.search_dir() / "generation").write_text(uuid.uuid4().hex)
    indexer.write_state(10**15)  # a checkpoint beyond any outbox id: the worker has nothing to apply
    assert not indexer.needs_rebuild()
    size, files = dir_size(path)
    index.reload()
    searcher = index.searcher()
    out["index"] = {
        "bytes": size,
        "mb": round(size / 1e6, 1),
        "files": files,
        "segments": searcher.num_segments,
        "num_docs": searcher.num_docs,
        "bytes_per_doc": round(size / max(built, 1)),
        "over_indexed_text": ratio(size, text_bytes),
    }
    out["loadavg_after_build"] = loadavg()

    # Query latency.
    print(f"  [{docs:,}] queries", file=sys.stderr)
    from fanwen.search.engine import Filters, build_query

    reader = selectors._reader(str(indexer.index_path()))
    qtokens = {q: segment.tokens(q) for q, _ in QUERIES}
    # The words the engine queries: schema 2 drops search-mode sub-words (engine.query_words).
    words_of = getattr(engine, "query_words", lambda tokens: list(dict.fromkeys(tokens)))
    bare_words = {q: words_of(t) for q, t in qtokens.items()}
    bare_searcher = index.searcher()

    def a(q: str) -> Any:
        return selectors.search_documents(q)

    def b(q: str) -> Any:
        return bare_searcher.search(build_query(bare_words[q], Filters()), 10)

    def c(q: str) -> Any:
        return bare_searcher.search(build_query(bare_words[q], Filters()), 10, count=False)

    def d(q: str) -> Any:
        return reader.search(qtokens[q], Filters(), sort="relevance", offset=0, limit=selectors.PAGE_SIZE)

    methods = {"search_documents": a, "bare_engine": b, "bare_engine_no_count": c, "reader_cards_no_snippets": d}
    totals = {}
    approximate = {}
    for q, _ in QUERIES:  # warm-up, and the hit counts
        page = a(q)
        totals[q] = page.total
        approximate[q] = bool(getattr(page, "approximate", False))
        for f in methods.values():
            f(q)
    times: dict[str, dict[str, list[int]]] = {m: {q: [] for q, _ in QUERIES} for m in methods}
    order = [q for q, _ in QUERIES]
    rng = random.Random(5)
    names = list(methods)
    for r in range(args.rounds):
        rng.shuffle(order)
        for q in order:
            seq = names if r % 2 == 0 else names[::-1]
            for m in seq:
                f = methods[m]
                t = time.perf_counter_ns()
                f(q)
                times[m][q].append(time.perf_counter_ns() - t)
    latency: dict[str, Any] = {}
    for m in methods:
        everything = [x for q in times[m] for x in times[m][q]]
        by_words: dict[str, Any] = {}
        for words in (1, 2, 3):
            sel = [x for q, _ in QUERIES if len(q.split()) == words for x in times[m][q]]
            by_words[str(words)] = summary_ms(sel)
        latency[m] = {"all": summary_ms(everything), "by_words": by_words}
    per_query = []
    for q, kind in QUERIES:
        per_query.append(
            {
                "query": q, "kind": kind, "words": len(q.split()), "tokens": qtokens[q],
                "engine_words": bare_words[q], "hits": totals[q], "approximate": approximate[q],
                **{f"{m}_p50_ms": summary_ms(times[m][q])["p50_ms"] for m in methods},
                "search_documents_p99_ms": summary_ms(times["search_documents"][q])["p99_ms"],
            }
        )
    out["queries"] = {
        "count": len(QUERIES),
        "rounds": args.rounds,
        "latency": latency,
        "ratio_p50": ratio(latency["search_documents"]["all"]["p50_ms"], latency["bare_engine"]["all"]["p50_ms"]),
        "ratio_p99": ratio(latency["search_documents"]["all"]["p99_ms"], latency["bare_engine"]["all"]["p99_ms"]),
        "per_query": per_query,
    }
    out["peak_rss_mb_end"] = peak_rss_mb()
    out["loadavg_after_queries"] = loadavg()
    return out


# --------------------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


def http_bench(data_dir: Path, out_dir: Path, rounds: int, docs: int) -> dict[str, Any]:
    port = free_port()
    env = dict(os.environ, FANWEN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="fanwen.settings.embedded")
    generation_before = (data_dir / "search" / "generation").read_text()
    log_path = out_dir / f"serve-{docs}.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(VENV_BIN / "fanwen"), "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    result: dict[str, Any] = {"port": port, "workers": 2, "log": str(log_path), "code": code_state()}
    try:
        started = time.perf_counter()
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"fanwen serve exited with {server.returncode}; see {log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                status, _ = _get(conn, "/robots.txt")
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - started > 180:
                raise RuntimeError(f"fanwen serve did not answer within 180 s; see {log_path}")
            time.sleep(0.3)
        result["startup_seconds"] = round(time.perf_counter() - started, 1)
        paths = {q: "/api/v1/search?" + urllib.parse.urlencode({"q": q}) for q, _ in QUERIES}
        # Warm up both granian workers: a few connections, every query on each.
        totals: dict[str, int] = {}
        for _ in range(4):
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for q, path in paths.items():
                status, body = _get(warm, path)
                if status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {status}: {body[:200]!r}")
                totals[q] = json.loads(body)["total"]
            warm.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        search_ns: list[int] = []
        robots_ns: list[int] = []
        errors = 0
        order = list(paths)
        rng = random.Random(7)
        for r in range(rounds):
            rng.shuffle(order)
            for q in order:
                pair = [("search", paths[q]), ("robots", "/robots.txt")]
                for kind, path in pair if r % 2 == 0 else pair[::-1]:
                    t = time.perf_counter_ns()
                    status, _ = _get(conn, path)
                    elapsed = time.perf_counter_ns() - t
                    if status != 200:
                        errors += 1
                    (search_ns if kind == "search" else robots_ns).append(elapsed)
        conn.close()
        s, rb = summary_ms(search_ns), summary_ms(robots_ns)
        result.update(
            {
                "requests_each": len(search_ns),
                "errors": errors,
                "search": s,
                "robots": rb,
                "ratio_p50": ratio(s["p50_ms"], rb["p50_ms"]),
                "ratio_p99": ratio(s["p99_ms"], rb["p99_ms"]),
                "totals_match_in_process": None,  # filled in by the caller
                "totals": totals,
            }
        )
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    result["generation_unchanged"] = (data_dir / "search" / "generation").read_text() == generation_before
    result["no_rebuild_dirs"] = not any((data_dir / "search").glob("index.new-*"))
    return result


# --------------------------------------------------------------------------- report


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _code(state: dict[str, Any] | None) -> str:
    if not state or not state.get("commit"):
        return "unknown commit"
    dirty = state.get("dirty") or []
    return f"commit `{state['commit']}`" + (f" with uncommitted changes in {', '.join(dirty)}" if dirty else "")


def _code_changes(result: dict[str, Any]) -> str:
    """Say so when a phase ran other code than the run started with (the project moves on during long runs)."""
    start = _code(result["machine"].get("code_at_start"))
    notes = []
    for run in result["runs"]:
        for phase, state in (("build and in-process queries", run.get("code")), ("HTTP", (run.get("http") or {}).get("code"))):
            if state is not None and _code(state) != start:
                notes.append(f"{run['docs']:,} {phase}: {_code(state)}")
    if not notes:
        return "; every phase ran that code."
    return ". **The code changed during the run**: " + "; ".join(notes) + "."


def _sample(every: int) -> str:
    return "every chunk" if every == 1 else f"every {every}th chunk of {CHUNK:,} documents"


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("**met**" if ok else "**missed**")


def targets(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the figure it is judged on."""
    out = []
    n = run["docs"]
    out.append({"what": f"index build ≥ {TARGET_BUILD_RATIO} × bare segmentation ({n:,})", "value": run["build_over_bare"],
                "ok": run["build_over_bare"] >= TARGET_BUILD_RATIO})
    if n >= TARGET_AT:
        lat = run["queries"]["latency"]["search_documents"]["all"]
        out.append({"what": f"search_documents p50 ≤ {TARGET_P50_MS} ms ({n:,})", "value": lat["p50_ms"],
                    "ok": lat["p50_ms"] <= TARGET_P50_MS})
        out.append({"what": f"search_documents p99 ≤ {TARGET_P99_MS} ms ({n:,})", "value": lat["p99_ms"],
                    "ok": lat["p99_ms"] <= TARGET_P99_MS})
        if run.get("http") and "search" in run["http"]:
            p50 = run["http"]["search"]["p50_ms"]
            out.append({"what": f"HTTP search p50 ≤ {TARGET_HTTP_P50_MS} ms ({n:,})", "value": p50,
                        "ok": p50 <= TARGET_HTTP_P50_MS})
    return out


def _decompose(lat: dict[str, Any], key: str, words: str | None = None) -> dict[str, float]:
    """Engine, card loading and snippets, from the differences between the measured methods."""

    def get(m: str) -> float:
        s = lat[m]["all"] if words is None else lat[m]["by_words"][words]
        return float(s[key])

    engine, reader, full = get("bare_engine"), get("reader_cards_no_snippets"), get("search_documents")
    return {"engine": engine, "reader": reader - engine, "snippets": full - reader, "total": full}


def analysis(result: dict[str, Any]) -> list[str]:
    """Where the time goes, computed from the run's own figures."""
    lines = ["### Where the time goes", ""]
    for run in result["runs"]:
        n = run["docs"]
        build, bare = run["build"], run["bare_segmentation"]
        seg_equiv = build["docs"] / bare["docs_per_s"]
        tantivy_main = build["add_document_seconds"] + build["commit_seconds"] + build["wait_merging_seconds"]
        rest = build["seconds"] - build["to_tantivy_seconds"] - tantivy_main
        lines.append(
            f"- {n:,} build: {_fmt(build['seconds'])} s in all; `to_tantivy` {_fmt(build['to_tantivy_seconds'])} s "
            f"({build['to_tantivy_seconds'] / build['seconds'] * 100:.0f}%), of which segmentation at the bare rate would be "
            f"{_fmt(seg_equiv)} s; `add_document` + commit + merges {_fmt(tantivy_main)} s; loop and timer overhead "
            f"{_fmt(rest)} s. Tantivy's indexing thread runs beside the Python thread (build CPU {_fmt(build['cpu_seconds'])} s "
            f"for {_fmt(build['seconds'])} s of wall time)."
        )
        lat = run["queries"]["latency"]
        for key in ("p50_ms", "p99_ms"):
            d = _decompose(lat, key)
            lines.append(
                f"- {n:,} `search_documents` {key[:3]} {_fmt(d['total'], 2)} ms ≈ bare engine {_fmt(d['engine'], 2)} ms "
                f"{d['reader']:+.2f} ms for `IndexReader.search` (its query plan and loading 10 cards) "
                f"{d['snippets']:+.2f} ms for the snippets and hits (differences of the methods' {key[:3]}s, so only indicative)."
            )
        per = sorted(run["queries"]["per_query"], key=lambda pq: -pq["bare_engine_p50_ms"])[:3]
        lines.append(
            f"- {n:,} slowest queries in the bare engine (p50): "
            + "; ".join(f"{pq['query']} {_fmt(pq['bare_engine_p50_ms'], 2)} ms ({_fmt(pq['hits'])} hits)" for pq in per)
            + "."
        )
        h = run.get("http") or {}
        if "search" in h:
            a = lat["search_documents"]["all"]["p50_ms"]
            lines.append(
                f"- {n:,} HTTP: search p50 {_fmt(h['search']['p50_ms'], 2)} ms against {_fmt(a, 2)} ms in process and "
                f"{_fmt(h['robots']['p50_ms'], 2)} ms for robots.txt through the same server and middleware."
            )
    runs = sorted(result["runs"], key=lambda r: r["docs"])
    if len(runs) > 1:
        lo, hi = runs[0], runs[-1]
        scale = hi["docs"] / lo["docs"]
        parts = []
        for m in ("bare_engine", "search_documents"):
            for key in ("p50_ms", "p99_ms"):
                parts.append(
                    f"{m} {key[:3]} × {hi['queries']['latency'][m]['all'][key] / lo['queries']['latency'][m]['all'][key]:.1f}"
                )
        lines.append(
            f"- From {lo['docs']:,} to {hi['docs']:,} documents (× {scale:.0f}): " + ", ".join(parts)
            + f"; index size × {hi['index']['bytes'] / lo['index']['bytes']:.1f}; build rate × "
            f"{hi['build']['docs_per_s'] / lo['build']['docs_per_s']:.2f}."
        )
    lines.append("")
    return lines


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    corpus = result["corpus"]
    lines = [
        "# Search benchmarks",
        "",
        "## Search (issue #5)",
        "",
        "Generated by `bench/search_bench.py` from its JSON output "
        f"(`{result['json']}`); every number below comes from that run.",
        "",
        "Reproduce:",
        "",
        "```",
        result["command"],
        "```",
        "",
        f"Run started {result['started']}, took {result['seconds'] / 60:.1f} min.",
        "",
        "### Machine",
        "",
        f"- CPU: {m['cpu_model']}, {m['cpus']} logical CPUs; RAM {m['mem_gb']} GB",
        f"- {m['platform']}, Python {m['python']}",
        f"- Code measured: {_code(m.get('code_at_start'))} at the start of the run"
        + _code_changes(result),
        "- " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- Load average (1/5/15 min) at start {m['loadavg_at_start']}, at end {result['loadavg_at_end']}: "
        "the machine is shared, other processes run tests, so absolute figures move between runs; "
        "the ratios to a baseline measured in the same run are the figures to compare.",
        "",
        "### Corpus",
        "",
        f"- `bench/gen_corpus.py` documents 0..N-1, seed {corpus['seed']}, vocabulary {corpus['vocabulary']} "
        f"({_fmt(corpus['vocabulary_words'])} words), generator version {corpus['generator_version']}.",
        "- Indexed per document, as `indexer.indexed_documents` does: title, free blocks (before `##paidbegin##`, "
        "and after `##paidend##`), category name (no tags: the generator has none); the paid blocks are dropped. One of "
        f"{len(CATEGORIES)} categories per document, drawn at random.",
        "- No database: `engine.IndexedDocument` objects are built from a cache generated beforehand "
        f"({corpus['jobs']} processes, not timed) and streamed in chunks of {CHUNK:,}.",
        "",
    ]
    for run in result["runs"]:
        n = run["docs"]
        build, bare, idx, q = run["build"], run["bare_segmentation"], run["index"], run["queries"]
        lat = q["latency"]
        st = run["corpus_stats"]
        lines += [
            f"### {n:,} documents",
            "",
            f"Mean characters per document {_fmt(st['mean_chars'], 0)}, of which free (indexed) "
            f"{_fmt(st['mean_free_chars'], 0)} ({st['free_share'] * 100:.0f}%); {st['free_only_share'] * 100:.1f}% of "
            "documents are free only.",
            "",
            "| Figure | Measured | Baseline (same run) | Ratio | Target |",
            "|---|---|---|---|---|",
            f"| Index build, docs/s (wall) | {_fmt(build['docs_per_s'])} | bare segmentation {_fmt(bare['docs_per_s'])} "
            f"| {run['build_over_bare']:.2f} | ≥ {TARGET_BUILD_RATIO} {_met(run['build_over_bare'] >= TARGET_BUILD_RATIO)} |",
            f"| Index build, docs per CPU-second (all threads) | {_fmt(build['docs_per_cpu_s'])} | "
            f"bare segmentation {_fmt(bare['docs_per_cpu_s'])} | {run['build_over_bare_cpu']:.2f} | – |",
            f"| Index build, wall seconds | {_fmt(build['seconds'])} (commit {_fmt(build['commit_seconds'], 2)}, "
            f"merges {_fmt(build['wait_merging_seconds'], 2)}) | – | – | – |",
            f"| Index size on disk | {_fmt(idx['mb'])} MB ({_fmt(idx['bytes_per_doc'])} B/doc, "
            f"{idx['segments']} segments, {_fmt(idx['files'])} files) | indexed text {_fmt(build['indexed_text_bytes'] / 1e6)} MB (UTF-8) "
            f"| {idx['over_indexed_text']:.2f} | – |",
            f"| Peak RSS of the build process | {_fmt(run['peak_rss_mb_after_build'])} MB (after queries "
            f"{_fmt(run['peak_rss_mb_end'])} MB) | RSS before the build {_fmt(run['rss_mb_before_build'])} MB "
            f"| {ratio(run['peak_rss_mb_after_build'], run['rss_mb_before_build']):.2f} | – |",
        ]
        a, b = lat["search_documents"]["all"], lat["bare_engine"]["all"]
        big = n >= TARGET_AT
        lines += [
            f"| `search_documents` p50 (ms) | {_fmt(a['p50_ms'], 2)} | bare engine {_fmt(b['p50_ms'], 2)} | "
            f"{q['ratio_p50']:.2f} | {'≤ ' + str(TARGET_P50_MS) + ' ' + _met(a['p50_ms'] <= TARGET_P50_MS) if big else '–'} |",
            f"| `search_documents` p99 (ms) | {_fmt(a['p99_ms'], 2)} | bare engine {_fmt(b['p99_ms'], 2)} | "
            f"{q['ratio_p99']:.2f} | {'≤ ' + str(TARGET_P99_MS) + ' ' + _met(a['p99_ms'] <= TARGET_P99_MS) if big else '–'} |",
        ]
        h = run.get("http") or {}
        if "search" in h:
            lines += [
                f"| HTTP `GET /api/v1/search` p50 (ms) | {_fmt(h['search']['p50_ms'], 2)} | `GET /robots.txt` "
                f"{_fmt(h['robots']['p50_ms'], 2)} | {h['ratio_p50']:.2f} | "
                f"{'≤ ' + str(TARGET_HTTP_P50_MS) + ' ' + _met(h['search']['p50_ms'] <= TARGET_HTTP_P50_MS) if big else '–'} |",
                f"| HTTP `GET /api/v1/search` p99 (ms) | {_fmt(h['search']['p99_ms'], 2)} | `GET /robots.txt` "
                f"{_fmt(h['robots']['p99_ms'], 2)} | {h['ratio_p99']:.2f} | – |",
            ]
        elif h.get("error"):
            lines.append(f"| HTTP | failed: {h['error']} | | | |")
        lines += [
            "",
            f"Build: `to_tantivy` {_fmt(build['to_tantivy_seconds'])} s (segmentation + card JSON; "
            f"{run['to_tantivy_over_bare']:.2f} × the bare rate), `add_document` {_fmt(build['add_document_seconds'])} s, "
            f"commit {_fmt(build['commit_seconds'], 2)} s, waiting for merges {_fmt(build['wait_merging_seconds'], 2)} s. "
            f"Bare segmentation on {_sample(bare['sample_every_nth_chunk'])} ({_fmt(bare['pass1']['docs'])} documents), "
            f"once before and once after the build: {_fmt(bare['pass1']['docs_per_s'])} and "
            f"{_fmt(bare['pass2']['docs_per_s'])} docs/s (pass 2 / pass 1 = {bare['pass2_over_pass1']}). "
            f"Load average before the build {run['loadavg_before_build']}, after it {run['loadavg_after_build']}.",
            "",
            f"Query latency, {q['count']} queries × {q['rounds']} rounds, each method called in turn on the same "
            "query (order alternating), after one warm-up pass; index warm in the page cache:",
            "",
            "| Method | p50 ms | p90 ms | p99 ms | mean ms | 1-word p50 | 2-word p50 | 3-word p50 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        labels = {
            "bare_engine_no_count": "bare engine, `count=False`",
            "bare_engine": "bare engine (`searcher.search(build_query(words, Filters()), 10)`)",
            "reader_cards_no_snippets": "`IndexReader.search` (query plan + cards, no snippets)",
            "search_documents": "`search_documents` (cards + snippets)",
        }
        for key, label in labels.items():
            s = lat[key]
            al, bw = s["all"], s["by_words"]
            lines.append(
                f"| {label} | {_fmt(al['p50_ms'], 2)} | {_fmt(al['p90_ms'], 2)} | {_fmt(al['p99_ms'], 2)} | "
                f"{_fmt(al['mean_ms'], 2)} | {_fmt(bw['1']['p50_ms'], 2)} | {_fmt(bw['2']['p50_ms'], 2)} | "
                f"{_fmt(bw['3']['p50_ms'], 2)} |"
            )
        lines += [
            "",
            "<details><summary>Per query (hits; p50 ms)</summary>",
            "",
            "| Query | Engine words | Hits | search_documents | p99 | bare engine | no count | IndexReader.search |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for pq in q["per_query"]:
            lines.append(
                f"| {pq['query']} | {' '.join(pq.get('engine_words', pq['tokens']))} | "
                f"{'≈ ' if pq.get('approximate') else ''}{_fmt(pq['hits'])} | {_fmt(pq['search_documents_p50_ms'], 2)} | "
                f"{_fmt(pq['search_documents_p99_ms'], 2)} | {_fmt(pq['bare_engine_p50_ms'], 2)} | "
                f"{_fmt(pq['bare_engine_no_count_p50_ms'], 2)} | {_fmt(pq['reader_cards_no_snippets_p50_ms'], 2)} |"
            )
        lines += [
            "",
            "≈: the total is an estimate (`SearchPage.approximate`). Engine words: what the bare engine was given "
            "(`engine.query_words` of the segmented query when the engine has it).",
            "",
            "</details>",
            "",
        ]
        if "search" in h:
            lines += [
                f"HTTP: `fanwen serve --workers 2` (granian, WSGI, plus the background worker), started in "
                f"{h['startup_seconds']} s; {h['requests_each']} sequential keep-alive requests of each kind from one "
                f"client on 127.0.0.1, interleaved, after warm-up; {h['errors']} errors. The worker did not rebuild the "
                f"index: generation unchanged {h['generation_unchanged']}, no index.new-* directory {h['no_rebuild_dirs']}. "
                f"Hit counts equal to the in-process ones: {h['totals_match_in_process']}.",
                "",
            ]
    lines += analysis(result)
    lines += ["### Targets", "", "| Target | Value | Result |", "|---|---|---|"]
    for run in result["runs"]:
        for t in targets(run):
            lines.append(f"| {t['what']} | {_fmt(t['value'], 2)} | {_met(t['ok'])} |")
    if not any(r["docs"] >= TARGET_AT for r in result["runs"]):
        lines.append(f"| latency targets apply at {TARGET_AT:,} documents | not run | – |")
    lines.append("")
    notes = result.get("notes") or []
    if notes:
        lines += ["### Notes", ""] + [f"- {x}" for x in notes] + [""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- driver


def corpus_stats(corpus: Path, docs: int) -> dict[str, Any]:
    """From the cache; cheap (no segmentation)."""
    n = total = free = free_only = 0
    every = max(1, -(-docs // 50_000))
    for records in iter_chunks(corpus, docs, every=every):
        for r in records:
            n += 1
            total += r[5]
            free += r[6]
            free_only += not r[7]
    return {
        "sampled_docs": n,
        "mean_chars": total / n,
        "mean_free_chars": free / n,
        "free_share": free / total,
        "free_only_share": free_only / n,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--doc", type=Path, help="markdown report to write (default: OUT/search-report.md)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="corpus cache and data directories")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes generating the corpus")
    parser.add_argument("--rounds", type=int, default=20, help="timed calls per query and method, in process")
    parser.add_argument("--http-rounds", type=int, default=12, help="timed requests per query over HTTP")
    parser.add_argument("--keep", action="store_true", help="keep the data directories (indexes) under --work")
    parser.add_argument("--drop-corpus", action="store_true", help="delete the corpus cache at the end")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--render", type=Path, help="only rewrite --doc from this JSON")
    # Internal: the per-N child process.
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        res = child_build_and_query(args)
        args.result.write_text(json.dumps(res, ensure_ascii=False, indent=2))
        return
    args.doc = args.doc or args.out / "search-report.md"
    if args.render:
        result = json.loads(args.render.read_text())
        args.doc.write_text(render(result) + "\n")
        print(f"wrote {args.doc}")
        return

    started = time.time()
    t0 = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    command = ".venv/bin/python bench/search_bench.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    result: dict[str, Any] = {
        "command": command.strip(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "machine": machine(),
        "targets": {
            "build_over_bare": TARGET_BUILD_RATIO, "p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS,
            "http_p50_ms": TARGET_HTTP_P50_MS, "latency_targets_at_docs": TARGET_AT,
        },
        "runs": [],
        "notes": [],
    }
    print(f"corpus: {max(args.docs):,} documents into {args.work}", file=sys.stderr)
    result["corpus"] = ensure_corpus(args.work, max(args.docs), args.seed, args.jobs)
    corpus_path = args.work / f"corpus-seed{args.seed}.bin"
    json_path = args.out / f"search-{stamp}.json"
    result["json"] = str(json_path.relative_to(ROOT)) if json_path.is_relative_to(ROOT) else str(json_path)

    for docs in args.docs:
        data_dir = args.work / f"data-{docs}"
        if data_dir.exists():
            shutil.rmtree(data_dir)
        data_dir.mkdir(parents=True)
        res_path = args.work / f"child-{docs}.json"
        print(f"[{docs:,}] build and in-process queries", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(docs), "--data-dir", str(data_dir), "--corpus", str(corpus_path),
             "--result", str(res_path), "--rounds", str(args.rounds)],
            check=True, cwd=ROOT,
        )
        run = json.loads(res_path.read_text())
        run["corpus_stats"] = corpus_stats(corpus_path, docs)
        if not args.no_http:
            print(f"[{docs:,}] HTTP", file=sys.stderr)
            try:
                run["http"] = http_bench(data_dir, args.out, args.http_rounds, docs)
                in_process = {pq["query"]: pq["hits"] for pq in run["queries"]["per_query"]}
                run["http"]["totals_match_in_process"] = run["http"].pop("totals") == in_process
            except Exception as exc:
                run["http"] = {"error": repr(exc)}
                print(f"HTTP failed: {exc!r}", file=sys.stderr)
        result["runs"].append(run)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        # Written after each N so that a long run leaves something behind if stopped.
        result["loadavg_at_end"] = loadavg()
        result["seconds"] = round(time.perf_counter() - t0, 1)
        text = json.dumps(result, ensure_ascii=False, indent=2)
        json_path.write_text(text)
        (args.out / "search-latest.json").write_text(text)
        args.doc.parent.mkdir(parents=True, exist_ok=True)
        args.doc.write_text(render(result) + "\n")
        summary = {
            "docs": docs,
            "build_docs_per_s": run["build"]["docs_per_s"],
            "bare_docs_per_s": run["bare_segmentation"]["docs_per_s"],
            "build_over_bare": run["build_over_bare"],
            "index_mb": run["index"]["mb"],
            "peak_rss_mb": run["peak_rss_mb_end"],
            "search_documents": run["queries"]["latency"]["search_documents"]["all"],
            "bare_engine": run["queries"]["latency"]["bare_engine"]["all"],
            "http": {k: run.get("http", {}).get(k) for k in ("search", "robots", "error")},
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.drop_corpus:
        corpus_path.unlink(missing_ok=True)
        corpus_path.with_suffix(".json").unlink(missing_ok=True)
    print(f"wrote {json_path}, {args.out / 'search-latest.json'} and {args.doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
