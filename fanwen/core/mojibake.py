"""Is text that decoded as GB18030 really Chinese, or another encoding read wrongly?

Almost any byte string of Big5 or Shift-JIS is also valid GB18030, so decoding succeeds and
yields mojibake: Big5's common characters land on GB2312's kana, Greek, Cyrillic and box-drawing
rows, on user-defined (private-use) code points and on rare ideographs; Shift-JIS kana land on
rare ideographs of the GBK extension.  Genuine Chinese text hardly ever has those: simplified text
stays within GB2312, and traditional text saved as GBK stays within Big5's common characters.

Measured on the two examples (docs/decisions.md): genuine simplified 0 %, genuine traditional
saved as GBK under 1 %, the same texts as Big5 read as GB18030 about 65 %, Japanese Shift-JIS
about 78 % suspicious characters.

Korean EUC-KR lands on common GB2312 hanzi, but only on rows 0xB0-0xC8 (Hangul's rows in
KS X 1001), while genuine Chinese text has about 43 % of its GB2312 hanzi in the later rows
(是 在 一 中 我 这 有 上 …): a text of 40 or more GB2312 hanzi with under 2 % of them in rows
0xC9-0xF7 is refused too.
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
# The EUC-KR test: enough GB2312 hanzi to judge, and the least share in rows 0xC9-0xF7.
MIN_HANZI_FOR_ROWS = 40
MIN_LATE_ROW_SHARE = 0.02


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


@functools.cache
def gb2312_hanzi_rows() -> tuple[frozenset[str], frozenset[str]]:
    """GB2312's hanzi in rows 0xB0-0xC8 (where EUC-KR's Hangul lands) and in rows 0xC9-0xF7."""
    early: set[str] = set()
    late: set[str] = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            _add(early if high <= 0xC8 else late, bytes((high, low)), "gb2312")
    return frozenset(early), frozenset(late)


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
    early_rows, late_rows = gb2312_hanzi_rows()
    considered = suspicious = early = late = 0
    for char, n in counts.items():
        if char.isascii() or char.isspace():
            continue
        considered += n
        if is_suspicious(char):
            suspicious += n
        elif char in early_rows:
            early += n
        elif char in late_rows:
            late += n
    if suspicious >= MIN_SUSPICIOUS and suspicious >= MIN_SHARE * considered:
        return True  # Big5, Shift-JIS
    hanzi = early + late
    return hanzi >= MIN_HANZI_FOR_ROWS and late < MIN_LATE_ROW_SHARE * hanzi  # EUC-KR
