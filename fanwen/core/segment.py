"""Normalisation and segmentation shared by indexing and querying.

Both sides must agree exactly, so both call :func:`tokens`.
* NFKC folds full-width forms to half-width (Ｐａｒｔｙ → Party, １２ → 12).
* Letters are lower-cased.
* Traditional characters become simplified (OpenCC t2s), so 黨性分析 finds 党性分析.
* rjieba's search mode adds sub-words for recall (中华人民共和国 → 中华, 华人, …).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc
import rjieba

_TOKEN_RE = re.compile(r"\w", re.UNICODE)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


# NFKC of the full-width ASCII forms and the ideographic space, as a C-speed translate.
_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    narrowed = text.translate(_FULL_WIDTH)  # NFKC would map these the same way
    if not unicodedata.is_normalized("NFKC", narrowed):  # rare after narrowing: a quick table check
        narrowed = unicodedata.normalize("NFKC", narrowed)
    return _t2s().convert(narrowed.lower())


def tokens(text: str) -> list[str]:
    """Search-mode tokens of normalised text, punctuation and spaces dropped."""
    return [t for t in rjieba.cut_for_search(normalise(text)) if _TOKEN_RE.search(t)]


def segmented(text: str) -> str:
    """Tokens joined by spaces: what the search index's whitespace analyser reads."""
    return " ".join(tokens(text))
