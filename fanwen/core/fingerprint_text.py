"""Character classes the fingerprint works with: what is Han, what a reader cannot see."""

from __future__ import annotations

import re
import unicodedata

CODE_BITS = 62  # fits a signed 64-bit column; 31 light slots of 2 bits
_M64 = (1 << 64) - 1
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u3164\uffa0\u180b\u180c\u180d\u180e\u180f")


def mix64(x: int) -> int:
    """A fixed 64-bit integer finaliser (splitmix64); keyless and stable across processes."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x323AF or 0xF900 <= o <= 0xFAFF


def is_invisible(ch: str) -> bool:
    """Whitespace, format (Cf) characters, variation selectors and fillers: what a
    normaliser removes or collapses, and what carries no visible content."""
    if ch.isspace() or ch in _INVISIBLE_EXTRA:
        return True
    o = ord(ch)
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF:
        return True
    return unicodedata.category(ch) == "Cf"


# Every character that :func:`is_invisible` names and that is not whitespace, as one class
# (tests/core/test_fingerprint_text.py checks it against is_invisible over all of Unicode).
INVISIBLE_NON_SPACE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u115f-\u1160\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f\U000e0100-\U000e01ef]"
)


def visible_count(text: str) -> int:
    """字数 as a reader sees it: characters that are neither whitespace nor invisible."""
    return sum(1 for ch in text if not is_invisible(ch))


def normalise_like_a_leaker(text: str) -> str:
    """NFKC, every format character, zero-width and variation character removed, and
    whitespace collapsed: the normalisation strong mode must survive."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch.isspace() or not is_invisible(ch))
    return " ".join(text.split())
