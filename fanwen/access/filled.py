"""Blocks with a reader's 填写模板 values in place, and the same as highlighted pieces for the
preview.  Pure text work on the gate's blocks (core's ``fill``); used by ``delivery.deliver``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from fanwen.core import placeholders as core_placeholders


def filled_blocks(blocks: Sequence[Any], values: Mapping[str, str]) -> list[Any]:
    """The blocks with the values in place (block by block: no placeholder crosses a line)."""
    if not values:
        return list(blocks)
    return [
        dataclasses.replace(
            block, text=core_placeholders.fill(block.text, values), lead=core_placeholders.fill(block.lead, values)
        )
        for block in blocks
    ]


def preview_segments(text: str, values: Mapping[str, str]) -> list[tuple[str, bool]]:
    """``text`` filled, as (piece, was filled) pairs for highlighting the filled values."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for occurrence in core_placeholders.occurrences(text):
        value = values.get(occurrence.text)
        if value is None:
            continue
        pieces.append((text[position : occurrence.start], False))
        pieces.append((value, True))
        position = occurrence.end
    pieces.append((text[position:], False))
    return [piece for piece in pieces if piece[0]]


def has_placeholders(blocks: Sequence[Any]) -> bool:
    return any(core_placeholders.occurrences(block.text) for block in blocks)
