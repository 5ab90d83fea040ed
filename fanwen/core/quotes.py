"""Does a text quote another?  A run of ``RUN`` consecutive characters of it, normalised (NFKC,
case-folded, without whitespace or invisible characters), that occurs in the other, normalised."""

from __future__ import annotations

import unicodedata

RUN = 12
_DROP = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}  # whitespace, controls, format and combining marks
SEPARATOR = "\x00"  # joins normalised blocks: no normalised text holds it


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) not in _DROP)


def quotes(text: str, source: str, *, run: int = RUN) -> bool:
    """True when ``text`` has a run of ``run`` characters of ``source`` (already normalised)."""
    if not source:
        return False
    shown = normalise(text)
    return any(shown[i:i + run] in source for i in range(len(shown) - run + 1))
