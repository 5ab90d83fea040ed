"""Where the paywall line falls: the author studio's rule, without Django.

A *split* is ``paid_from``: the index of the first paid block.  Blocks before it are free,
blocks from it on are paid; ``paid_from == len(blocks)`` is a free document.

* Markers in the file set the first position (:func:`marked_paid_from`).  While the line stays
  there, the file's own regions are kept as marked (a free ending after ``##paidend##``, several
  regions); once the author moves it, the document is one free opening and one paid rest.
* Without markers, :func:`suggest_paid_from` suggests one: at a section heading (``一、`` or
  ``（一）``; ``1.`` headings only when there are none of those) close to one third of the 字数,
  with at least the opening and one section with body text free.  Without such a heading: at a
  paragraph boundary close to one third, never right after a heading.  With two blocks or more
  the suggestion always leaves something free and something paid.

Counts (:func:`split_counts`) are those the library stores at import and the paywall card
shows: 字数 by :func:`structure.count_chars`, 章节 = headings and sub-points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fanwen.core import structure
from fanwen.core.format import Block, Document

SECTION_LEVELS = (2, 3)  # first try headings of level ≤ 2 (一、 （一）), then ≤ 3 (1.)


@dataclass(frozen=True, slots=True)
class SplitCounts:
    free_chars: int
    paid_chars: int
    free_sections: int
    paid_sections: int


def marked_paid_from(blocks: Sequence[Block]) -> int | None:
    """The first paid block the file's markers name, or None for a file without markers."""
    return next((i for i, b in enumerate(blocks) if b.paid), None)


def suggest_paid_from(texts: Sequence[str]) -> int:
    """The suggested first paid block for blocks of these texts (see the module's rule)."""
    n = len(texts)
    if n < 2:
        return n
    infos = structure.analyse(list(texts))
    chars = [structure.count_chars(t) for t in texts]
    before = _prefix(chars)  # before[i] = 字数 of blocks [0, i)
    target = before[n] / 3
    for max_level in SECTION_LEVELS:
        candidates = _heading_boundaries(infos, max_level)
        if candidates:
            return min(candidates, key=lambda i: (abs(before[i] - target), infos[i].level, i))
    boundaries = [i for i in range(1, n) if infos[i - 1].kind != structure.KIND_HEADING] or list(range(1, n))
    return min(boundaries, key=lambda i: (abs(before[i] - target), i))


def _prefix(chars: Sequence[int]) -> list[int]:
    out = [0]
    for c in chars:
        out.append(out[-1] + c)
    return out


def _heading_boundaries(infos: Sequence[structure.BlockInfo], max_level: int) -> list[int]:
    """Positions 1..n-1 of headings (level ≤ max_level) that leave the opening and at least one
    section with body text free: a heading of that kind stands before them, and after it a block
    that is not a heading."""
    out: list[int] = []
    first_heading: int | None = None
    body_after_first = False
    for i, info in enumerate(infos):
        is_section = info.kind == structure.KIND_HEADING and info.level <= max_level
        if is_section and first_heading is not None and body_after_first and i >= 1:
            out.append(i)
        if is_section and first_heading is None:
            first_heading = i
        elif first_heading is not None and info.kind != structure.KIND_HEADING:
            body_after_first = True
    return out


def initial_paid_from(document: Document) -> int:
    """Where the line starts: the markers' position, else the suggestion."""
    marked = marked_paid_from(document.blocks)
    return marked if marked is not None else suggest_paid_from([b.text for b in document.blocks])


def with_paid_from(document: Document, paid_from: int) -> Document:
    """The document with the line at ``paid_from`` (0 < paid_from ≤ number of blocks).  At the
    markers' own position the file's regions stay as marked; anywhere else, one split."""
    n = len(document.blocks)
    if not 0 < paid_from <= n:
        raise ValueError(f"paid_from must be between 1 and {n}: {paid_from}")
    if marked_paid_from(document.blocks) == paid_from:
        return document
    blocks = tuple(Block(text=b.text, paid=i >= paid_from) for i, b in enumerate(document.blocks))
    return Document(title=document.title, blocks=blocks)


def split_counts(blocks: Sequence[Block]) -> SplitCounts:
    """免费/付费 字数 and 章节 of blocks as flagged (what import stores)."""
    infos = structure.analyse([b.text for b in blocks])
    free_chars = paid_chars = free_sections = paid_sections = 0
    for block, info in zip(blocks, infos, strict=True):
        n = structure.count_chars(block.text)
        section = info.kind != structure.KIND_PARAGRAPH
        if block.paid:
            paid_chars += n
            paid_sections += section
        else:
            free_chars += n
            free_sections += section
    return SplitCounts(free_chars, paid_chars, free_sections, paid_sections)


def boundary_counts(document: Document) -> list[SplitCounts]:
    """``out[i - 1]`` = the counts with the line at ``i``, for i = 1..n; linear in the blocks."""
    blocks = document.blocks
    infos = structure.analyse([b.text for b in blocks])
    chars = [structure.count_chars(b.text) for b in blocks]
    sections = [int(info.kind != structure.KIND_PARAGRAPH) for info in infos]
    total_chars, total_sections = sum(chars), sum(sections)
    marked = marked_paid_from(blocks)
    out: list[SplitCounts] = []
    free_chars = free_sections = 0
    for i in range(1, len(blocks) + 1):
        free_chars += chars[i - 1]
        free_sections += sections[i - 1]
        if i == marked:
            out.append(split_counts(blocks))
        else:
            out.append(
                SplitCounts(free_chars, total_chars - free_chars, free_sections, total_sections - free_sections)
            )
    return out
