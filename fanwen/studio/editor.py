"""The editor's view of a draft: its blocks as the author will store them, each boundary with
the counts the line would give there (so the page's script only reads numbers the server made)."""

from __future__ import annotations

from dataclasses import dataclass

from fanwen.core import paywall, structure
from fanwen.core.format import Document


@dataclass(frozen=True)
class Row:
    index: int
    text: str
    kind: str
    level: int
    paid: bool  # with the line where it is now
    file_paid: bool  # as the file's markers have it
    cut: int  # the line's value for the boundary after this block (index + 1)
    counts: paywall.SplitCounts  # ... and the counts with the line there


@dataclass(frozen=True)
class Editor:
    rows: list[Row]
    paid_from: int
    marked_from: int | None  # where the file's markers put the line, if it has any
    suggested_from: int
    counts: paywall.SplitCounts
    has_regions: bool  # the file marks more than one opening and one paid rest


def editor_for(parsed: Document, paid_from: int) -> Editor:
    lined = paywall.with_paid_from(parsed, paid_from)
    infos = structure.analyse([b.text for b in parsed.blocks])
    counts = paywall.boundary_counts(parsed)
    marked = paywall.marked_paid_from(parsed.blocks)
    rows = [
        Row(i, block.text, info.kind, info.level, shown.paid, block.paid, i + 1, counts[i])
        for i, (block, shown, info) in enumerate(zip(parsed.blocks, lined.blocks, infos, strict=True))
    ]
    simple = marked is None or all(b.paid == (i >= marked) for i, b in enumerate(parsed.blocks))
    return Editor(
        rows=rows,
        paid_from=paid_from,
        marked_from=marked,
        suggested_from=paywall.suggest_paid_from([b.text for b in parsed.blocks]),
        counts=counts[paid_from - 1],
        has_regions=not simple,
    )
