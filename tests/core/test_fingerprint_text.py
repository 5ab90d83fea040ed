"""The invisible-character class used by 字数 agrees with is_invisible over all of Unicode."""

from __future__ import annotations

from fanwen.core.fingerprint_text import INVISIBLE_NON_SPACE, is_invisible
from fanwen.core.structure import count_chars


def test_the_invisible_class_is_exactly_is_invisible_without_whitespace():
    for cp in range(0x110000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        assert bool(INVISIBLE_NON_SPACE.fullmatch(ch)) == (is_invisible(ch) and not ch.isspace()), hex(cp)


def test_count_chars_ignores_carriers_and_whitespace():
    assert count_chars("学\u200b习\u2060 感\ufe0f悟\u3000。") == 5
