"""Structure of official writing: headings, sub-points, outline, 字数, placeholders.

Levels
------
1. ``一、标题``            a Chinese numeral and 、
2. ``（一）标题``           a parenthesised Chinese numeral (full- or half-width brackets)
3. ``1. 标题`` / ``1、标题``  an Arabic number and a dot or 、
A heading may run on into body text on the same line (``（一）小标题。正文……``): the heading
is the part up to its first 。；：！？ (its lead, at most 40 characters), the rest is body text
of the same block.  How long the rest is never changes how the line is read.
Sub-points (``一是…``, ``二是…``, ``第一，…``) are paragraphs, not headings.  They
are listed in the outline by their lead phrase, one level below the heading they
stand under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fanwen.core.fingerprint_text import INVISIBLE_NON_SPACE
from fanwen.core.format import Block, Document
from fanwen.core.placeholders import occurrences

HEADING_MAX_CHARS = 40
LEAD_MAX_CHARS = 40
_NUM = "一二三四五六七八九十百零〇"

_LEVEL1_RE = re.compile(rf"^[{_NUM}]+、")
_LEVEL2_RE = re.compile(rf"^[（(][{_NUM}]+[)）]")
_LEVEL3_RE = re.compile(r"^[0-9０-９]{1,3}(?:[.．、](?![0-9０-９]))")
_POINT_RE = re.compile(rf"^(?:[{_NUM}]+是|第[{_NUM}]+[，,、：:]|首先|其次|再次|最后)")
_LEAD_END_RE = re.compile(r"[。；;！!？?：:]")

KIND_HEADING = "heading"
KIND_POINT = "point"
KIND_PARAGRAPH = "paragraph"


@dataclass(frozen=True, slots=True)
class BlockInfo:
    kind: str  # heading | point | paragraph
    level: int  # 1..4 for headings and points, 0 for paragraphs
    lead: str  # what the outline shows; "" for paragraphs


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    text: str
    level: int
    paid: bool
    index: int  # position of the block in the document


def count_chars(text: str) -> int:
    """字数: the visible characters — neither whitespace (str.split drops exactly the
    str.isspace ones) nor invisible (format, zero-width, variation characters), so a
    fingerprinted copy counts as many as the original."""
    return len("".join(INVISIBLE_NON_SPACE.sub("", text).split()))


@dataclass(frozen=True, slots=True)
class CharCount:
    free: int
    paid: int

    @property
    def total(self) -> int:
        return self.free + self.paid


def char_count(blocks: tuple[Block, ...] | list[Block]) -> CharCount:
    free = paid = 0
    for block in blocks:
        n = count_chars(block.text)
        if block.paid:
            paid += n
        else:
            free += n
    return CharCount(free=free, paid=paid)


def split_heading(text: str) -> tuple[str, str]:
    """(heading, rest): the heading runs to its first stop (。；：！？), which it keeps."""
    match = _LEAD_END_RE.search(text)
    if match is None:
        return text, ""
    return text[: match.end()], text[match.end() :]


def heading_lead(text: str) -> str:
    """The heading without its stop: what the outline shows."""
    match = _LEAD_END_RE.search(text)
    return text if match is None else text[: match.start()]


def heading_level(text: str) -> int:
    """The level of the heading a block starts with, or 0 when it does not start with one."""
    if len(heading_lead(text)) > HEADING_MAX_CHARS:
        return 0
    if _LEVEL1_RE.match(text):
        return 1
    if _LEVEL2_RE.match(text):
        return 2
    if _LEVEL3_RE.match(text):
        return 3
    return 0


def is_point(text: str) -> bool:
    return bool(_POINT_RE.match(text))


def lead_phrase(text: str) -> str:
    """The opening clause of a sub-point: ``一是要保持学习习惯。…`` → ``一是要保持学习习惯``."""
    lead = heading_lead(text)
    if len(lead) > LEAD_MAX_CHARS:
        lead = lead[: LEAD_MAX_CHARS - 1] + "…"
    return lead


def analyse(texts: list[str] | tuple[str, ...]) -> list[BlockInfo]:
    """Classify each block; a sub-point sits one level below the heading above it."""
    infos: list[BlockInfo] = []
    depth = 0
    for text in texts:
        level = heading_level(text)
        if level:
            depth = level
            infos.append(BlockInfo(KIND_HEADING, level, heading_lead(text)))
        elif is_point(text):
            infos.append(BlockInfo(KIND_POINT, min(depth + 1, 4), lead_phrase(text)))
        else:
            infos.append(BlockInfo(KIND_PARAGRAPH, 0, ""))
    return infos


def outline(document: Document) -> list[OutlineEntry]:
    infos = analyse([b.text for b in document.blocks])
    return [
        OutlineEntry(text=info.lead, level=info.level, paid=block.paid, index=i)
        for i, (block, info) in enumerate(zip(document.blocks, infos, strict=True))
        if info.kind != KIND_PARAGRAPH
    ]


def placeholders(text: str) -> list[str]:
    """Placeholders such as ``XX``, ``X大学``, ``202X年X月X日``, ``某某``, in order of appearance
    (the finder of :mod:`fanwen.core.placeholders`)."""
    return [occurrence.text for occurrence in occurrences(text)]


def levels_among(blocks: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> list[int]:
    """The levels blocks already classified as (kind, level) get when only these blocks are
    in the document, by the rule of :func:`analyse`: a heading's level comes from its own
    text, so it keeps it; a sub-point sits one level below the nearest heading above it
    *among these blocks*; a paragraph is 0.  Used for what a reader may see of a document,
    so that hidden headings do not show through the levels of the visible sub-points."""
    levels: list[int] = []
    depth = 0
    for kind, level in blocks:
        if kind == KIND_HEADING:
            depth = level
            levels.append(level)
        elif kind == KIND_POINT:
            levels.append(min(depth + 1, 4))
        else:
            levels.append(0)
    return levels
