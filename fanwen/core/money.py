"""Money is integer fen.  Yuan strings are parsed exactly, never through float."""

from __future__ import annotations

import re

_YUAN_RE = re.compile(r"^([0-9]{1,9})(?:\.([0-9]{1,2}))?$")


class BadAmount(ValueError):
    pass


def yuan_to_fen(text: str) -> int:
    """``"5"`` → 500, ``"5.5"`` → 550, ``"0.01"`` → 1.  Negative or sub-fen amounts are refused."""
    match = _YUAN_RE.match(text.strip())
    if not match:
        raise BadAmount(f"not an amount in yuan with at most two decimals: {text!r}")
    whole, frac = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(frac)


def fen_to_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
