"""``pdf_marks.mark_pdf`` without the database: the reader-independent plan is made once per
text and reused for every reader's copy, and a plan that does not fit a PDF is made again
instead of wrapping the wrong runs."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from fanwen.access import pdf_marks
from fanwen.access.render_pdf import render_pdf
from fanwen.core import fingerprint as fp
from fanwen.core.fingerprint_text import is_invisible
from tests.access.test_render_pdf import shown_blocks
from tests.conftest import EXAMPLES

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


@pytest.fixture(scope="module")
def example() -> tuple[str, list, list[bytes]]:  # type: ignore[type-arg]
    from fanwen.core import reader

    document = reader.read_path(sorted(EXAMPLES.glob("*.txt"))[1])
    blocks = [
        dataclasses.replace(shown, paid=block.paid)
        for shown, block in zip(shown_blocks([b.text for b in document.blocks]), document.blocks, strict=True)
    ]
    pdfs = [
        render_pdf(title=document.title, blocks=blocks, watermark=f"范文库 · reader{n} · 订单 {n} · 仅供个人学习使用")
        for n in (1, 22)
    ]
    return document.title, blocks, pdfs


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout.decode()


def names(text: str, code: int) -> bool:
    """Does the middle 300 visible characters of ``text``'s second half name ``code`` among 1,000 codes?"""
    positions = [i for i, ch in enumerate(text) if not is_invisible(ch)]
    start = len(positions) * 3 // 4 - 150
    excerpt = text[positions[start] : positions[start + 299] + 1]
    codes = [(code, "reader")] + [(fp.reader_code(b"other", n, 1), n) for n in range(999)]
    result = fp.attribute(fp.read(excerpt), codes)
    return result.match is not None and result.match.who == ("reader",)


@needs_pdftotext
def test_the_plan_is_shared_by_readers_and_remade_when_it_does_not_fit(example, tmp_path, monkeypatch):
    title, blocks, (first, second) = example
    made: list[object] = []
    real = pdf_marks._make_plan
    monkeypatch.setattr(pdf_marks, "_make_plan", lambda *a: made.append(1) or real(*a))
    pdf_marks._plans.clear()
    codes = [fp.reader_code(b"k", n, 1) for n in (1, 2)]
    one = pdf_marks.mark_pdf(first, title=title, blocks=blocks, code=codes[0])
    two = pdf_marks.mark_pdf(second, title=title, blocks=blocks, code=codes[1])
    assert len(made) == 1 and one.runs == two.runs > 20 and one.carriers == two.carriers
    assert names(pdftotext(one.content, tmp_path), codes[0]) and names(pdftotext(two.content, tmp_path), codes[1])

    (key, plan), = pdf_marks._plans.items()
    stale = dataclasses.replace(plan, raws=(b"\x00\x01", *plan.raws[1:]))  # as if the layout had changed
    pdf_marks._plans[key] = stale
    again = pdf_marks.mark_pdf(second, title=title, blocks=blocks, code=codes[1])
    assert len(made) == 2 and pdf_marks._plans[key] is not stale
    assert again.runs == two.runs and names(pdftotext(again.content, tmp_path), codes[1])


def test_a_document_without_a_paid_part_is_returned_as_it_is(example):
    title, blocks, (first, _) = example
    free = [dataclasses.replace(b, paid=False) for b in blocks]
    marked = pdf_marks.mark_pdf(first, title=title, blocks=free, code=1)
    assert (marked.content, marked.runs, marked.carriers) == (first, 0, 0)
