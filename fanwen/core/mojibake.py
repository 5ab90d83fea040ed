"""Is text that decoded as GB18030 really Chinese, or another encoding read wrongly?

Almost any byte string of Big5 or Shift-JIS is also valid GB18030, so decoding succeeds and
yields mojibake: Big5's common characters land on GB2312's kana, Greek, Cyrillic and box-drawing
rows, on user-defined (private-use) code points and on rare ideographs; Shift-JIS kana land on
rare ideographs of the GBK extension.  Genuine Chinese text hardly ever has those: simplified text
stays within GB2312, and traditional text saved as GBK stays within Big5's common characters.

Measured on the two examples (docs/decisions.md): genuine simplified 0 %, genuine traditional
saved as GBK under 1 %, the same texts as Big5 read as GB18030 about 65 %, Japanese Shift-JIS
about 78 % suspicious characters.  Korean EUC-KR lands on common GB2312 characters and cannot be
told apart this way.
"""

from __future__ import annotations

import functools
from collections import Counter

# A text is refused when at least this many of its characters are suspicious ...
MIN_SUSPICIOUS = 3
# ... and they are at least this share of its non-ASCII, non-space characters.
MIN_SHARE = 0.2
# Misdecoding is uniform across a file, so its opening is a fair sample and the check stays cheap.
SAMPLE_CHARS = 50_000

_SUSPICIOUS_RANGES = (
    (0x0400, 0x04FF),  # Cyrillic (GB2312 row 7)
    (0x2500, 0x257F),  # box drawing (row 9)
    (0x3040, 0x30FF),  # hiragana and katakana (rows 4 and 5)
    (0xE000, 0xF8FF),  # private use: GBK's user-defined areas
    (0xFF65, 0xFF9F),  # half-width katakana
)
_IDEOGRAPH_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


@functools.cache
def common_ideographs() -> frozenset[str]:
    """GB2312's two levels of hanzi and Big5's common (level-1) hanzi."""
    found: set[str] = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            _add(found, bytes((high, low)), "gb2312")
    for high in range(0xA4, 0xC7):
        for low in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (high, low) <= (0xC6, 0x7E):
                _add(found, bytes((high, low)), "big5")
    return frozenset(found)


def _add(found: set[str], data: bytes, encoding: str) -> None:
    try:
        found.add(data.decode(encoding))
    except UnicodeDecodeError:
        pass


def is_suspicious(char: str) -> bool:
    code = ord(char)
    if any(low <= code <= high for low, high in _SUSPICIOUS_RANGES):
        return True
    return any(low <= code <= high for low, high in _IDEOGRAPH_RANGES) and char not in common_ideographs()


def looks_misdecoded(text: str) -> bool:
    counts = Counter(text[:SAMPLE_CHARS])
    considered = suspicious = 0
    for char, n in counts.items():
        if char.isascii() or char.isspace():
            continue
        considered += n
        if is_suspicious(char):
            suspicious += n
    return suspicious >= MIN_SUSPICIOUS and suspicious >= MIN_SHARE * considered
