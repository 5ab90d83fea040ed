"""Which text runs of a rendered PDF belong to which block, and the ``/ActualText`` that puts a
reader's light fingerprint on them.  Pure text work; the PDF side is ``access.pdf_marks``.

The PDF engine drops zero-width characters, so the carriers cannot be drawn.  Instead each
text-showing operator (a *run*: one line, or the part of a line in one font) of a paid block is
wrapped in a marked-content span whose ``/ActualText`` is the run's own text with the carriers
that ``fingerprint.mark`` puts into that block: text extraction returns the actual text, the
page draws the same glyphs.

Alignment
---------
The engine draws the body in document order (title, then the blocks, line by line); the page's
footer, page number and diagonal mark come after the body of each page.  :func:`align` walks
the runs in that order with a pointer into the expected segments (title, block 1, block 2 …):
a run belongs to the segment at the pointer when its characters, whitespace aside, are the
next characters of that segment (a line never spans two paragraphs), else to the start of the
next segment.  A run that matches neither (the footer watermark, a page number, a run whose
glyphs decode to other characters) is not placed and never marked; the next run may pick the
segment up again a little further on (at most as many characters ahead as were drawn by the
runs that did not match since, or anywhere further in it after a run that could not be
decoded).  So a run is placed in a paid block only where its text *is*
that block's text, in order after every block before it: free text is never marked.

Gaps between runs
-----------------
A Han–Han gap split by a line break gets its carrier at the end of the first run:
``pdftotext`` writes ``字<carrier>\\n字`` and the reader skips whitespace between a carrier and
the next ideograph.  A gap split by a *page* break gets none, since the page's footer and
page number come between the two ideographs in extracted text and the carrier would be read
against the wrong pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fanwen.core.fingerprint import CARRIERS

_UNKNOWN = 1 << 30


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    paid: bool


@dataclass(frozen=True, slots=True)
class Placement:
    """One run placed in a segment: ``chars[k]`` is the index in the segment's text of the
    run's k-th decoded character (-1 for whitespace); ``carry_end`` says whether the segment
    continues on the same page in the next placed run, so a carrier may end this run."""

    page: int
    run: int  # ordinal of the text-showing operator on its page
    segment: int
    chars: tuple[int, ...]
    carry_end: bool


def _match_at(run: str, text: str, pos: int) -> tuple[int, ...] | None:
    """Indices in ``text`` of ``run``'s characters when, whitespace aside, ``run`` is the text
    from ``pos`` on; None otherwise."""
    out: list[int] = []
    i = pos
    n = len(text)
    for ch in run:
        if ch.isspace():
            out.append(-1)
            continue
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != ch:
            return None
        out.append(i)
        i += 1
    return tuple(out)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _visible(run: str) -> int:
    return sum(1 for ch in run if not ch.isspace())


def align(pages: Sequence[Sequence[str | None]], segments: Sequence[Segment]) -> list[Placement]:
    """Place each page's runs (their decoded text in drawing order; None for a run that could
    not be decoded) in the segments.  Returns the placements in drawing order."""
    found: list[tuple[int, int, int, tuple[int, ...]]] = []
    seg, pos = 0, 0
    slack = 0  # characters drawn by unplaced runs since the last placed one
    for page_no, runs in enumerate(pages):
        for run_no, run in enumerate(runs):
            if run is None:
                slack = _UNKNOWN  # how much it drew is not known: look anywhere further in the block
                continue
            if not _visible(run):
                continue
            while seg < len(segments) and _skip_space(segments[seg].text, pos) >= len(segments[seg].text):
                seg, pos = seg + 1, 0
            if seg >= len(segments):
                break
            hit = _place(run, segments, seg, pos, slack)
            if hit is None:
                slack += _visible(run)
                continue
            seg, chars = hit
            found.append((page_no, run_no, seg, chars))
            pos = max(c for c in chars if c >= 0) + 1
            slack = 0
    placements: list[Placement] = []
    for k, (page_no, run_no, seg_no, chars) in enumerate(found):
        last = max(c for c in chars if c >= 0)
        nxt = found[k + 1] if k + 1 < len(found) else None
        carry = (
            nxt is not None
            and nxt[0] == page_no
            and nxt[2] == seg_no
            and min(c for c in nxt[3] if c >= 0) == last + 1
        )
        placements.append(Placement(page_no, run_no, seg_no, chars, carry))
    return placements


def _place(
    run: str, segments: Sequence[Segment], seg: int, pos: int, slack: int
) -> tuple[int, tuple[int, ...]] | None:
    text = segments[seg].text
    for start in range(pos, min(len(text), pos + slack) + 1):
        chars = _match_at(run, text, start)
        if chars is not None:
            return seg, chars
        if slack == 0:
            break
    if seg + 1 < len(segments):
        chars = _match_at(run, segments[seg + 1].text, 0)
        if chars is not None:
            return seg + 1, chars
    return None


def carriers_after(original: str, marked: str) -> list[str]:
    """For each character of ``original``, the carrier(s) that ``marked`` (its light-marked
    copy) puts right after it."""
    out = [""] * len(original)
    i = 0
    for ch in marked:
        if ch in CARRIERS:
            if i:
                out[i - 1] += ch
        else:
            i += 1
    if i != len(original):
        raise ValueError("marked text does not belong to this original")
    return out


def actual_text(run: str, placement: Placement, after: Sequence[str]) -> str:
    """The run's text with the carriers of its segment (``after``: :func:`carriers_after`)."""
    mapped = [k for k, c in enumerate(placement.chars) if c >= 0]
    last = mapped[-1] if mapped else -1
    out: list[str] = []
    for k, ch in enumerate(run):
        out.append(ch)
        index = placement.chars[k]
        if index >= 0 and after[index] and (k != last or placement.carry_end):
            out.append(after[index])
    return "".join(out)
