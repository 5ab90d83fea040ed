"""Near-duplicate check at library scale: p50 of one check, memory of the signatures, build time.

    .venv/bin/python bench/dupes_bench.py --docs 1000000 --real 2000 [--db 100000]

What is measured (no Django; the same fanwen.core.neardup functions the app calls):

* ``--real`` documents come from the search benchmark's generator (bench/gen_corpus.py) and get
  real signatures (shingling + MinHash).  The rest up to ``--docs`` are *random* uint32
  signatures: stand-ins for documents unrelated to everything else (a MinHash value of an
  unrelated set is a uniform draw), which is what most of a library is.  Generating and
  signing 1,000,000 texts would take hours on this machine's two shared cores.
* In-memory index: per band, the 64-bit band hashes (core.neardup.bands) sorted in a numpy
  array with the document numbers beside them; signatures in one (N × 64) uint32 matrix.
  Memory = the arrays' bytes (and the process RSS delta).
* A check = signature of a new text (an edited copy of a real document: 20 % of sentences
  rewritten, paragraphs reordered) + 16 binary searches + similarity of the candidates; p50/p95
  over ``--queries`` checks.  The copy's original must be the top match (counted).
* ``--pg DSN``: the app's storage at full size in PostgreSQL (tables ``bench_dupe_band`` and
  ``bench_dupe_signature``, dropped afterwards): p50 of the whole check as the app runs it —
  signature, one band query, one query for the candidates' signatures, similarity.
* ``--db N``: the app's storage (one band row per document and band, an indexed bigint, as
  moderation.Band) in SQLite for N documents; p50 of the candidate query alone.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_corpus import generate_documents
from fanwen.core import neardup
from tests.core.neardup_cases import edited, reordered


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--real", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--db", type=int, default=0)
    ap.add_argument("--pg", default="", help="PostgreSQL DSN: the app's two tables at full size, the whole check")
    args = ap.parse_args()
    rng = np.random.default_rng(0)

    t0 = time.perf_counter()
    texts = [d.text for d in generate_documents(args.real, seed=0, encoding="utf8")]
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    real = np.stack([neardup.signature(t) for t in texts])
    t_sign = (time.perf_counter() - t0) / args.real
    rss0 = rss_mb()
    sigs = np.empty((args.docs, neardup.NUM_PERM), dtype=np.uint32)
    sigs[: args.real] = real
    sigs[args.real :] = rng.integers(0, 2**32, size=(args.docs - args.real, neardup.NUM_PERM), dtype=np.uint32)

    t0 = time.perf_counter()
    band_keys = np.empty((neardup.BANDS, args.docs), dtype=np.int64)
    for i in range(args.docs):
        band_keys[:, i] = neardup.bands(sigs[i])
    order = np.argsort(band_keys, axis=1, kind="stable").astype(np.uint32)
    sorted_keys = np.take_along_axis(band_keys, order.astype(np.int64), axis=1)
    del band_keys
    t_build = time.perf_counter() - t0
    index_bytes = sigs.nbytes + sorted_keys.nbytes + order.nbytes

    def check(text: str) -> list[tuple[int, float]]:
        sig = neardup.signature(text)
        found: set[int] = set()
        for band, key in enumerate(neardup.bands(sig)):
            lo = np.searchsorted(sorted_keys[band], key, "left")
            hi = np.searchsorted(sorted_keys[band], key, "right")
            found.update(order[band, lo:hi].tolist())
        ids = np.fromiter(found, dtype=np.int64)
        sims = (sigs[ids] == sig).mean(axis=1) if len(ids) else np.array([])
        return sorted(((int(i), float(s)) for i, s in zip(ids, sims, strict=True) if s >= neardup.THRESHOLD),
                      key=lambda x: -x[1])

    picks = rng.choice(args.real, size=min(args.queries, args.real), replace=False)
    copies = [edited(reordered(texts[i], seed=int(i)), 0.2, seed=int(i)) for i in picks]  # paragraphs, then sentences
    times, hits, cands = [], 0, []
    for i, copy in zip(picks, copies, strict=True):
        t0 = time.perf_counter()
        matches = check(copy)
        times.append((time.perf_counter() - t0) * 1000)
        hits += bool(matches) and matches[0][0] == int(i)
        cands.append(len(matches))
    times.sort()
    print(f"documents {args.docs:,} (real signatures {args.real:,}, random {args.docs - args.real:,})")
    print(f"generator {t_gen:.1f}s for {args.real} texts; signature {t_sign * 1000:.2f} ms/text")
    print(f"index build (band hashes + sort) {t_build:.1f}s; index size {index_bytes / 2**20:.0f} MiB "
          f"(signatures {sigs.nbytes / 2**20:.0f} + bands {(sorted_keys.nbytes + order.nbytes) / 2**20:.0f}); "
          f"RSS peak delta {rss_mb() - rss0:.0f} MiB")
    print(f"check p50 {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms over {len(times)}; "
          f"original is the top match in {hits}/{len(times)}; matches ≥ {neardup.THRESHOLD}: "
          f"median {statistics.median(cands)}")

    if args.pg:
        pg_check(args.pg, sigs, sorted_keys, order, copies)

    if args.db:
        n = args.db
        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE band (document_id INTEGER, hash BIGINT)")
        t0 = time.perf_counter()
        con.executemany("INSERT INTO band VALUES (?, ?)", ((int(order[b, j]), int(sorted_keys[b, j]))
                                                          for b in range(neardup.BANDS) for j in range(args.docs)
                                                          if order[b, j] < n))
        con.execute("CREATE INDEX band_hash ON band (hash)")
        t_db = time.perf_counter() - t0
        qt = []
        for copy in copies:
            keys = neardup.bands(neardup.signature(copy))
            t0 = time.perf_counter()
            con.execute(f"SELECT DISTINCT document_id FROM band WHERE hash IN ({','.join('?' * len(keys))})",  # noqa: S608
                        keys).fetchall()
            qt.append((time.perf_counter() - t0) * 1000)
        print(f"SQLite band table, {n:,} documents ({n * neardup.BANDS:,} rows): load+index {t_db:.1f}s, "
              f"candidate query p50 {statistics.median(qt):.3f} ms")


def pg_check(dsn: str, sigs: np.ndarray, sorted_keys: np.ndarray, order: np.ndarray, copies: list[str]) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS bench_dupe_band, bench_dupe_signature")
        con.execute("CREATE UNLOGGED TABLE bench_dupe_band (document_id integer, hash bigint)")
        con.execute("CREATE UNLOGGED TABLE bench_dupe_signature (document_id integer PRIMARY KEY, minhash bytea)")
        t0 = time.perf_counter()
        with con.cursor().copy("COPY bench_dupe_band (document_id, hash) FROM STDIN") as copy:
            for b in range(sorted_keys.shape[0]):
                for j, key in zip(order[b].tolist(), sorted_keys[b].tolist(), strict=True):
                    copy.write_row((j, key))
        with con.cursor().copy("COPY bench_dupe_signature (document_id, minhash) FROM STDIN") as copy:
            for j in range(len(sigs)):
                copy.write_row((j, neardup.to_bytes(sigs[j])))
        con.execute("CREATE INDEX bench_dupe_band_hash ON bench_dupe_band (hash)")
        con.execute("ANALYZE bench_dupe_band")
        t_load = time.perf_counter() - t0
        size = con.execute("SELECT pg_total_relation_size('bench_dupe_band') + "
                           "pg_total_relation_size('bench_dupe_signature')").fetchone()[0]  # type: ignore[index]
        times = []
        for text in copies:
            t0 = time.perf_counter()
            sig = neardup.signature(text)
            rows = con.execute(
                "SELECT s.document_id, s.minhash FROM bench_dupe_signature s WHERE s.document_id IN "
                "(SELECT DISTINCT document_id FROM bench_dupe_band WHERE hash = ANY(%s))", (neardup.bands(sig),)
            ).fetchall()
            [(d, neardup.similarity(sig, neardup.from_bytes(bytes(raw)))) for d, raw in rows]
            times.append((time.perf_counter() - t0) * 1000)
        con.execute("DROP TABLE bench_dupe_band, bench_dupe_signature")
    times.sort()
    print(f"PostgreSQL band + signature tables, {len(sigs):,} documents ({sorted_keys.size:,} band rows, "
          f"{size / 2**20:.0f} MiB on disk): load + index {t_load:.0f}s; whole check p50 "
          f"{statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms")


if __name__ == "__main__":
    main()
