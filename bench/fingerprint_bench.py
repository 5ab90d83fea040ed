"""Fingerprint benchmark (issue #10): trace a 300-character excerpt against 100,000 codes,
and the cost of marking one reader's copy.

    .venv/bin/python bench/fingerprint_bench.py [--candidates 100000] [--rounds 30]

Pure core, no database: the candidates are (code, id) pairs in a list, as the Django
side would hold them after one query of the Delivery table.  The paid text is the paid
part of examples/001 repeated to about 5,000 characters (the issue's document size).
Printed: median and worst wall time of ``read`` + ``attribute`` over ``--rounds``
excerpts at random starts, of ``prepare`` (per document, cacheable) and of
``Plan.mark`` (per reader).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from fanwen.core import fingerprint as fp
from fanwen.core.fingerprint_text import is_invisible
from fanwen.core.reader import read_path

ROOT = Path(__file__).resolve().parent.parent
KEY = b"bench key"


def _ms(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples) * 1e3:.2f} ms, max {max(samples) * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    doc = read_path(ROOT / "examples" / "001_8c2f3a0508b80cee.txt")
    paid = [b.text for b in doc.blocks if b.paid]
    while sum(map(len, paid)) < 5000:
        paid = paid + paid
    candidates = [(fp.reader_code(KEY, r, 1), r) for r in range(args.candidates)]
    rng = random.Random(10)

    prepare_times, mark_times, trace_times = [], [], []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        plan = fp.prepare(paid)
        t1 = time.perf_counter()
        reader = rng.randrange(args.candidates)
        marked = "\n".join(plan.mark(candidates[reader][0]))
        t2 = time.perf_counter()
        positions = [i for i, ch in enumerate(marked) if not is_invisible(ch)]
        start = rng.randrange(len(positions) - 300)
        excerpt = marked[positions[start] : positions[start + 299] + 1]
        t3 = time.perf_counter()
        result = fp.attribute(fp.read(excerpt), candidates)
        t4 = time.perf_counter()
        assert result.match is not None and result.match.who == (reader,), result
        prepare_times.append(t1 - t0)
        mark_times.append(t2 - t1)
        trace_times.append(t4 - t3)
    print(f"paid text: {sum(map(len, paid))} characters; candidates: {args.candidates}")
    print(f"trace 300 characters (read + attribute): {_ms(trace_times)}")
    print(f"prepare (per document version, cacheable): {_ms(prepare_times)}")
    print(f"mark one reader's copy from the plan: {_ms(mark_times)}")
    print(
        f"bits read in the last excerpt: {result.bits}, P(false match) {result.false_match_probability:.1e}"
    )


if __name__ == "__main__":
    main()
