"""Search snippets: a window of the (free) text around the query's words, highlighted.

Pure Python.  The caller passes only text a reader may see; this module never decides that.
"""

from __future__ import annotations

import html
import unicodedata

from fanwen.core.segment import _FULL_WIDTH, _t2s

SNIPPET_CHARS = 110
LEAD_CHARS = 24


def fold(text: str) -> str:
    """Folding that keeps positions: NFKC (where it keeps one character), lower case, t2s."""
    narrowed = text.translate(_FULL_WIDTH)  # what NFKC does to full-width forms, one char each
    if unicodedata.is_normalized("NFKC", narrowed):  # the usual case: a quick table check in C
        whole = narrowed.lower()
    else:
        whole = unicodedata.normalize("NFKC", text).lower()
    if len(whole) == len(text):
        joined = whole
    else:
        chars = []
        for ch in text:
            folded = unicodedata.normalize("NFKC", ch).lower()
            chars.append(folded if len(folded) == 1 else ch.lower())
        joined = "".join(chars)
    converted = _t2s().convert(joined)
    return converted if len(converted) == len(joined) else joined


def _spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping occurrences, longest terms first."""
    spans: list[tuple[int, int]] = []
    taken = bytearray(len(folded))
    for term in sorted(set(terms), key=len, reverse=True):
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]):
                spans.append((start, end))
                taken[start:end] = b"\x01" * (end - start)
            start = folded.find(term, end)
    return sorted(spans)


def snippet_html(
    text: str, terms: list[str], *, size: int = SNIPPET_CHARS, phrase: str = "", folded: str | None = None
) -> str:
    """HTML-escaped window of ``text`` with ``<mark>`` around each occurrence of ``terms``
    (already normalised, as produced by ``segment.tokens``).  The window is centred on the
    whole ``phrase`` when it occurs, else on the most terms.  No match: the opening.
    ``folded`` is ``fold(text)`` computed ahead (at indexing time) to save the work here."""
    text = " ".join(text.split())  # callers passing ``folded`` must pass text already joined like this
    folded = folded if folded is not None and len(folded) == len(text) else fold(text)
    spans = _spans(folded, [t for t in terms if t.strip()])
    at = folded.find(phrase) if phrase else -1
    if at >= 0 and spans:
        window_start = max(0, at - LEAD_CHARS)
    elif not spans:
        window_start = 0
    else:
        # The window that holds the most distinct terms, starting a little before its first match.
        best, best_score = spans[0][0], -1
        for s, _ in spans:
            inside = {folded[a:b] for a, b in spans if s <= a and b <= s + size - LEAD_CHARS}
            if len(inside) > best_score:
                best, best_score = s, len(inside)
        window_start = max(0, best - LEAD_CHARS)
    if len(text) <= size:  # it all fits (titles): show it all
        window_start = 0
    window_end = min(len(text), window_start + size)
    out = ["…" if window_start > 0 else ""]
    pos = window_start
    for s, e in spans:
        if e <= window_start or s >= window_end:
            continue
        s, e = max(s, window_start), min(e, window_end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:window_end]))
    if window_end < len(text):
        out.append("…")
    return "".join(out)
