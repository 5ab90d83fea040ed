"""PDF download renderer vs the bare engine on the same HTML.

A 5,000-character document with 8 headings, built from the examples.  Each round times
``render_pdf`` (ours: builds the HTML and the diagonal-mark image, reuses the per-thread font
configuration and parsed stylesheet) and then ``weasyprint.HTML(string=...).write_pdf()`` on
the very HTML ours lays out, with the stylesheet inlined and nothing cached.  The rounds
alternate so machine noise hits both alike.  Target: our p50 within 1.5x the bare engine's.

    .venv/bin/python bench/pdf_bench.py --rounds 30
    .venv/bin/python bench/pdf_bench.py --png docs/img/download-pdf.png   # page 1 of an example, 100 dpi
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import weasyprint

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fanwen.access import render_pdf as pdf  # noqa: E402
from fanwen.core import reader, structure  # noqa: E402

WATERMARK = "范文库 · zhangsan · 订单 202611300001 · 仅供个人学习使用"
LEVEL1 = "一二三四五六七八"


@dataclass(frozen=True)
class Shown:
    """What the renderer reads of a block; the gate's ShownBlock without Django."""

    text: str
    kind: str
    level: int

    @property
    def heading_text(self) -> str:
        return structure.split_heading(self.text)[0]

    @property
    def heading_rest(self) -> str:
        return structure.split_heading(self.text)[1]


def shown(texts: list[str]) -> list[Shown]:
    return [Shown(t, i.kind, i.level) for t, i in zip(texts, structure.analyse(texts), strict=True)]


def example_texts() -> tuple[str, list[str]]:
    document = reader.read_path(sorted((ROOT / "examples").glob("*.txt"))[0])
    return document.title, [b.text for b in document.blocks]


def bench_document(chars: int = 5000, headings: int = 8) -> tuple[str, list[Shown]]:
    """``headings`` level-1 headings, each followed by example paragraphs, ``chars`` characters in all."""
    paragraphs = [
        b.text
        for path in sorted((ROOT / "examples").glob("*.txt"))
        for b in reader.read_path(path).blocks
        if structure.heading_level(b.text) == 0
    ]
    per_section = chars // headings
    texts: list[str] = []
    source = iter(paragraphs * 10)
    for n in range(headings):
        heading = f"{LEVEL1[n]}、第{LEVEL1[n]}部分的标题"
        texts.append(heading)
        room = per_section - structure.count_chars(heading)
        while room > 0:
            text = next(source)[:room]
            texts.append(text)
            room -= structure.count_chars(text)
    return "范文库基准文档：五千字八个标题", shown(texts)


def bare_html(title: str, blocks: list[Shown]) -> str:
    """The HTML render_pdf lays out, with its stylesheet inlined: what the bare engine gets."""
    mark = pdf.diagonal_mark_png(WATERMARK)
    html = pdf.document_html(title=title, blocks=blocks, watermark=WATERMARK, mark_png=mark)
    return html.replace("</head>", f"<style>{pdf.PAGE_CSS}</style></head>", 1)


def timed(call: object) -> tuple[float, bytes]:
    start = time.perf_counter()
    out = call()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, out


def run(rounds: int) -> dict[str, object]:
    title, blocks = bench_document()
    html = bare_html(title, blocks)
    ours_call = lambda: pdf.render_pdf(title=title, blocks=blocks, watermark=WATERMARK)  # noqa: E731
    bare_call = lambda: weasyprint.HTML(string=html).write_pdf()  # noqa: E731
    ours_pdf, bare_pdf = ours_call(), bare_call()  # warm-up: fontconfig, imports
    ours, bare = [], []
    for _ in range(rounds):
        ours.append(timed(ours_call)[0])
        bare.append(timed(bare_call)[0])
    result = {
        "chars": sum(structure.count_chars(b.text) for b in blocks),
        "headings": sum(b.kind == "heading" for b in blocks),
        "rounds": rounds,
        "ours_p50_ms": round(statistics.median(ours), 1),
        "bare_p50_ms": round(statistics.median(bare), 1),
        "ours_bytes": len(ours_pdf),
        "bare_bytes": len(bare_pdf),
    }
    result["ratio"] = round(result["ours_p50_ms"] / result["bare_p50_ms"], 3)  # type: ignore[operator]
    return result


def sample_png(target: Path, dpi: int) -> None:
    title, texts = example_texts()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "sample.pdf"
        source.write_bytes(pdf.render_pdf(title=title, blocks=shown(texts), watermark=WATERMARK))
        stem = Path(tmp) / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", source, stem],
            check=True,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stem.with_suffix(".png").read_bytes())
    print(f"wrote {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--png", type=Path, help="render page 1 of an example document to this PNG instead")
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args()
    if args.png:
        sample_png(args.png, args.dpi)
        return
    result = run(args.rounds)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "pdf_bench.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
