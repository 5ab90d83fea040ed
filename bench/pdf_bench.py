"""PDF download, end to end through the view, vs the bare engine on the same HTML (issue #10).

A 5,000-character document with 8 headings, built from the examples, paid from the fourth
heading on, bought by one reader; the embedded profile (SQLite file in a fresh data dir) and
Django's test client in process.  Each round times, interleaved so machine noise hits all
alike:

- **view**: ``GET /d/<id>/download/pdf/`` as the buyer: the gate, ``render_pdf``, the
  reader's fingerprint (``pdf_marks.mark_pdf``: /ActualText spans on the paid runs), the
  ``Delivery`` row;
- **render+mark**: ``render_pdf`` then ``mark_pdf`` on the gate's blocks (no request, no row);
- **bare**: ``weasyprint.HTML(string=...).write_pdf()`` on the very HTML ``render_pdf`` lays out
  for this buyer, with the stylesheet inlined and nothing cached.

Target: the view's p50 within 1.5x the bare engine's.

    .venv/bin/python bench/pdf_bench.py --rounds 30
    .venv/bin/python bench/pdf_bench.py --png docs/img/download-pdf.png   # page 1 of an example, 100 dpi
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
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


def bare_html(title: str, blocks: Sequence[pdf.ShownBlockLike], watermark: str = WATERMARK) -> str:
    """The HTML render_pdf lays out, with its stylesheet inlined: what the bare engine gets."""
    mark = pdf.diagonal_mark_png(watermark)
    html = pdf.document_html(title=title, blocks=blocks, watermark=watermark, mark_png=mark)
    return html.replace("</head>", f"<style>{pdf.PAGE_CSS}</style></head>", 1)


def timed(call: object) -> tuple[float, bytes]:
    start = time.perf_counter()
    out = call()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, out


def paid_document_text(title: str, blocks: list[Shown]) -> str:
    """The bench document as fanwen's text format, paid from the fourth heading on."""
    lines, headings = [title], 0
    for block in blocks:
        if block.kind == "heading":
            headings += 1
        lines.append(("##paidbegin##" if block.kind == "heading" and headings == 4 else "") + block.text)
    return "\n".join(lines)


def run(rounds: int) -> dict[str, object]:
    os.environ["FANWEN_DATA_DIR"] = tempfile.mkdtemp(prefix="fanwen-pdfbench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fanwen.settings.embedded"
    os.environ["FANWEN_DOWNLOADS_PER_DAY"] = str(10 * rounds + 100)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from fanwen.access import fingerprints, gate, pdf_marks
    from fanwen.access.models import Delivery
    from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
    from fanwen.core.format import parse_text
    from fanwen.library.models import Document
    from fanwen.library.services import document_import
    from tests.commerce.factories import make_user

    call_command("migrate", verbosity=0)
    title, bench_blocks = bench_document()
    doc = Document.objects.get(
        pk=document_import(parsed=parse_text(paid_document_text(title, bench_blocks)), price_fen=500).document_id
    )
    buyer = make_user("bench-buyer")
    wallet_credit(user=buyer, amount_fen=500, reason="bench")
    order_pay_with_wallet(order_id=order_create(user=buyer, document_id=doc.pk).pk, user=buyer)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(buyer)
    url = f"/d/{doc.pk}/download/pdf/"

    def view() -> bytes:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        return bytes(response.content)

    view_pdf = view()  # warm-up; also gives the buyer's watermark
    row = Delivery.objects.latest("pk")
    assert row.fingerprint_code, "the PDF download must carry the reader's fingerprint"
    watermark = row.watermark
    blocks = gate.gated_view(buyer, doc).blocks
    code = fingerprints.code_for(buyer.pk, doc.pk)
    html = bare_html(doc.title, blocks, watermark)

    def ours() -> bytes:
        content = pdf.render_pdf(title=doc.title, blocks=blocks, watermark=watermark)
        return pdf_marks.mark_pdf(content, title=doc.title, blocks=blocks, code=code).content

    def bare() -> bytes:
        out: bytes = weasyprint.HTML(string=html).write_pdf()
        return out

    ours_pdf, bare_pdf = ours(), bare()  # warm-up: fontconfig, imports
    times: dict[str, list[float]] = {"view": [], "render_mark": [], "bare": []}
    for _ in range(rounds):
        times["view"].append(timed(view)[0])
        times["render_mark"].append(timed(ours)[0])
        times["bare"].append(timed(bare)[0])
    result: dict[str, object] = {
        "chars": doc.chars_total,
        "chars_paid": doc.chars_paid,
        "headings": sum(b.kind == "heading" for b in blocks),
        "rounds": rounds,
        **{f"{name}_p50_ms": round(statistics.median(v), 1) for name, v in times.items()},
        "view_bytes": len(view_pdf),
        "ours_bytes": len(ours_pdf),
        "bare_bytes": len(bare_pdf),
    }
    result["ratio"] = round(result["view_p50_ms"] / result["bare_p50_ms"], 3)  # type: ignore[operator]
    result["pass"] = result["ratio"] <= 1.5  # type: ignore[operator]
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
