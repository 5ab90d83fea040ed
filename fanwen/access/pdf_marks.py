"""A reader's light fingerprint in a rendered PDF, as ``/ActualText`` spans around the runs of
the paid blocks (pikepdf).

WeasyPrint drops zero-width characters when it shapes text, so the carriers cannot be drawn.
:func:`mark_pdf` takes the PDF rendered from the *unmarked* blocks and wraps each text-showing
operator that draws part of a paid block, and carries at least one carrier, in

    /Span <</ActualText (the run's text with the reader's carriers)>> BDC … EMC

Nothing is drawn differently (the pages rasterise to the same pixels); ``pdftotext`` returns
the actual text, carriers included, so any 300 characters of the paid part it gives back
carry the code.  Which run belongs to which block is found by aligning the runs' decoded text
(the fonts' ``/ToUnicode`` maps) with the blocks in order: see :mod:`fanwen.core.pdf_runs`,
which explains why the title, free blocks, footer watermark and page numbers are never marked.

Per reader, the work is: open the PDF, parse the content streams of the pages, check that the
runs the cached plan names are byte for byte the runs it was made from, wrap them, save.  The
plan (the alignment and the light-fingerprint plan of the paid blocks) depends only on the
document's text, not on the reader, and is cached per text; the body's glyph codes are the
fonts' glyph ids, the same in every reader's copy (only the footer, which the plan never names,
differs).  A plan that no longer fits is made again from this PDF.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any, Protocol

logging.getLogger("pikepdf").setLevel(logging.WARNING)  # not "logger bridge initialized" on every start
import pikepdf  # noqa: E402

from fanwen.core import fingerprint, pdf_runs  # noqa: E402

TEXT_OPERATORS = frozenset({"TJ", "Tj", "'", '"'})
_PLAN_CACHE_SIZE = 64
_BFCHAR_RE = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE_RE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX_RE = re.compile(rb"<([0-9a-fA-F]+)>")
_RANGE_RE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]+>|\[[^\]]*\])")


class BlockLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def paid(self) -> bool: ...


@dataclass(frozen=True)
class _Run:
    index: int  # of the instruction in the page's parsed content stream
    raw: bytes  # the string operands' bytes
    text: str | None  # decoded, None when the font cannot be decoded


@dataclass(frozen=True)
class MarkPlan:
    """What marking one document's PDF needs that does not depend on the reader."""

    segments: tuple[pdf_runs.Segment, ...]
    placements: tuple[pdf_runs.Placement, ...]  # runs placed in paid segments only
    raws: tuple[bytes, ...]  # each placement's run bytes, to check a new PDF against
    texts: tuple[str, ...]  # each placement's decoded text
    paid: tuple[int, ...]  # segment indices of the paid blocks, in order
    light: fingerprint.Plan  # of the paid blocks' texts


_plans: OrderedDict[bytes, MarkPlan] = OrderedDict()
_plans_lock = Lock()


def segments_of(title: str, blocks: Sequence[BlockLike]) -> tuple[pdf_runs.Segment, ...]:
    """Title and blocks as the engine draws them: without zero-width carriers (it drops them)."""
    return (
        pdf_runs.Segment(fingerprint.strip_carriers(title), False),
        *(pdf_runs.Segment(fingerprint.strip_carriers(b.text), bool(b.paid)) for b in blocks),
    )


def _to_unicode(font: Any) -> dict[int, str] | None:
    """Glyph code → text for a Type0 Identity-H font with a /ToUnicode map (what WeasyPrint
    writes); None for any other font, whose runs are then left alone."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    data = font.ToUnicode.read_bytes()
    table: dict[int, str] = {}
    for body in _BFCHAR_RE.findall(data):
        values = _HEX_RE.findall(body)
        for src, dst in zip(values[::2], values[1::2], strict=False):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
    for body in _BFRANGE_RE.findall(data):
        for lo, hi, dst in _RANGE_RE.findall(body):
            start, end = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                for offset, item in enumerate(_HEX_RE.findall(dst)):
                    table[start + offset] = bytes.fromhex(item.decode()).decode("utf-16-be", "replace")
                continue
            first = bytes.fromhex(dst[1:-1].decode())
            base = int.from_bytes(first[-2:], "big")
            for offset in range(end - start + 1):
                table[start + offset] = (first[:-2] + (base + offset).to_bytes(2, "big")).decode("utf-16-be", "replace")
    return table


def _raw_of(operands: Sequence[Any]) -> bytes:
    parts: list[bytes] = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            parts.append(bytes(operand))
        elif isinstance(operand, pikepdf.Array):
            parts.extend(bytes(item) for item in operand if isinstance(item, pikepdf.String))
    return b"".join(parts)


def _decode(raw: bytes, table: dict[int, str] | None) -> str | None:
    if table is None or len(raw) % 2:
        return None
    out: list[str] = []
    for i in range(0, len(raw), 2):
        ch = table.get(int.from_bytes(raw[i : i + 2], "big"))
        if ch is None:
            return None
        out.append(ch)
    return "".join(out)


def _page_runs(page: pikepdf.Page, instructions: list[Any], tables: dict[tuple[int, int], Any]) -> list[_Run]:
    """The text-showing operators of one page's content stream, with their decoded text."""
    fonts = page.Resources.get("/Font") or pikepdf.Dictionary()
    font: Any = None
    stack: list[Any] = []
    runs: list[_Run] = []
    for index, (operands, operator) in enumerate(instructions):
        op = str(operator)
        if op == "q":
            stack.append(font)
        elif op == "Q":
            font = stack.pop() if stack else None
        elif op == "Tf" and operands:
            font = fonts.get(str(operands[0]))
        elif op in TEXT_OPERATORS:
            table = None
            if font is not None:
                key = font.objgen
                if key not in tables:
                    tables[key] = _to_unicode(font)
                table = tables[key]
            raw = _raw_of(operands)
            runs.append(_Run(index, raw, _decode(raw, table)))
    return runs


def _plan_key(segments: Sequence[pdf_runs.Segment]) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    for segment in segments:
        digest.update(b"\x01" if segment.paid else b"\x00")
        digest.update(segment.text.encode())
        digest.update(b"\x00")
    return digest.digest()


def _fits(plan: MarkPlan, runs: Sequence[Sequence[_Run]]) -> bool:
    for placement, raw in zip(plan.placements, plan.raws, strict=True):
        page = runs[placement.page] if placement.page < len(runs) else ()
        if placement.run >= len(page) or page[placement.run].raw != raw:
            return False
    return True


def _make_plan(segments: tuple[pdf_runs.Segment, ...], runs: Sequence[Sequence[_Run]]) -> MarkPlan:
    placed = pdf_runs.align([[r.text for r in page] for page in runs], segments)
    paid_placed = [p for p in placed if segments[p.segment].paid]
    paid = tuple(i for i, s in enumerate(segments) if s.paid)
    return MarkPlan(
        segments=segments,
        placements=tuple(paid_placed),
        raws=tuple(runs[p.page][p.run].raw for p in paid_placed),
        texts=tuple(runs[p.page][p.run].text or "" for p in paid_placed),
        paid=paid,
        light=fingerprint.prepare([segments[i].text for i in paid], "light"),
    )


def plan_for(segments: tuple[pdf_runs.Segment, ...], runs: Sequence[Sequence[_Run]]) -> MarkPlan:
    """The cached plan of this text when it fits these runs, else a new one (cached)."""
    key = _plan_key(segments)
    with _plans_lock:
        plan = _plans.get(key)
        if plan is not None:
            _plans.move_to_end(key)
    if plan is not None and _fits(plan, runs):
        return plan
    plan = _make_plan(segments, runs)
    with _plans_lock:
        _plans[key] = plan
        while len(_plans) > _PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
    return plan


@dataclass(frozen=True)
class MarkedPdf:
    content: bytes
    runs: int  # runs wrapped in an ActualText span
    carriers: int


def mark_pdf(content: bytes, *, title: str, blocks: Sequence[BlockLike], code: int) -> MarkedPdf:
    """The PDF with the paid blocks' runs carrying ``code`` in ``/ActualText`` spans."""
    segments = segments_of(title, blocks)
    if not any(s.paid for s in segments):
        return MarkedPdf(content, 0, 0)
    pdf = pikepdf.open(io.BytesIO(content))
    pages = list(pdf.pages)
    instructions = [list(pikepdf.parse_content_stream(page)) for page in pages]
    tables: dict[tuple[int, int], Any] = {}
    runs = [_page_runs(page, instr, tables) for page, instr in zip(pages, instructions, strict=True)]
    plan = plan_for(segments, runs)
    marked = plan.light.mark(code)
    after = {
        seg: pdf_runs.carriers_after(segments[seg].text, text) for seg, text in zip(plan.paid, marked, strict=True)
    }
    spans: dict[int, dict[int, str]] = {}
    carriers = 0
    for placement, text in zip(plan.placements, plan.texts, strict=True):
        actual = pdf_runs.actual_text(text, placement, after[placement.segment])
        if actual == text:
            continue
        carriers += len(actual) - len(text)
        spans.setdefault(placement.page, {})[runs[placement.page][placement.run].index] = actual
    for page_no, wraps in spans.items():
        out: list[Any] = []
        for index, instruction in enumerate(instructions[page_no]):
            wrap = wraps.get(index)
            if wrap is None:
                out.append(instruction)
                continue
            span = pikepdf.Dictionary(ActualText=pikepdf.String(wrap))
            out.append(pikepdf.ContentStreamInstruction([pikepdf.Name.Span, span], pikepdf.Operator("BDC")))
            out.append(instruction)
            out.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC")))
        pages[page_no].Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return MarkedPdf(buffer.getvalue(), sum(len(w) for w in spans.values()), carriers)
