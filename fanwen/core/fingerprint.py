"""Invisible per-reader fingerprint of paid text, and attribution of a leaked excerpt.

The code
--------
Each (reader, document) pair gets a 62-bit code: the first bits of
HMAC-SHA256(key, reader id, document id).  62 bits so that the code fits a signed
64-bit database column and a database can filter ``code & mask = value`` itself.

Light mode (default): zero-width characters
-------------------------------------------
Between every two *adjacent Han ideographs* of a paid block, ``mark`` inserts exactly
one of four zero-width characters: U+200B ZWSP, U+200C ZWNJ, U+200D ZWJ, U+2060 WJ, a
2-bit symbol.  Gaps next to punctuation, Latin, digits or whitespace get nothing, so no
new line-break opportunity appears before a closing or after an opening punctuation
mark (a Han–Han gap may break anyway).  U+FEFF is not used.

Self-synchronisation: the gap between ideographs ``a`` and ``b`` carries code bits
``2s, 2s+1`` where ``s = mix(a, b) mod 31`` (a fixed, keyless integer hash of the two
neighbours), XORed with two whitening bits from the same hash.  ``read`` needs nothing
but the excerpt: for each carrier it sees the two ideographs around it, recomputes
``s`` and recovers two code bits.  A repeated pair of ideographs always lands on the
same slot with the same value, so repetition is harmless.  About 250 Han–Han gaps in
300 characters of 公文 prose fill all 31 slots (62 bits) in practice; the tests check
every 300-character window of the sample documents.  Two slots disagreeing (a text
spliced from two copies, or edited carriers) is a *conflict*: that slot is dropped.

Stripping the four carriers gives back the original text exactly.  What survives:
browser copy and python-docx text (the characters are in the text); *not* text that
WeasyPrint shapes (it drops default-ignorable characters: pdftotext gets none back), so
the PDF carries them in ``/ActualText`` spans around the paid runs instead
(bench/fingerprint_pdf_probe.py; docs/decisions.md); and not a leaker who deletes
format characters.

Strong mode: meaning-preserving wording variants
------------------------------------------------
See :mod:`fanwen.core.fingerprint_strong`.  Strong mode adds the zero-width carriers
too, so an un-normalised copy still carries the dense light code.

Attribution
-----------
``read`` returns :class:`Evidence`: which code bits were read (a mask and values).
``attribute`` compares them with every candidate code by one integer AND and compare
(no per-candidate hashing), and names a candidate only when all read bits agree, no
other code agrees, and the chance that some candidate agrees by accident,
``N · 2^-k`` for N candidates and k bits (a union bound), is at most the threshold
(1e-6 by default).  Everything else fails closed with a Chinese reason.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from fanwen.core import fingerprint_strong as strong
from fanwen.core.fingerprint_text import CODE_BITS, is_han, is_invisible, mix64

CODE_MASK = (1 << CODE_BITS) - 1
LIGHT_SLOTS = CODE_BITS // 2
MODES = ("light", "strong")

ZWSP, ZWNJ, ZWJ, WJ = "\u200b", "\u200c", "\u200d", "\u2060"
CARRIERS = (ZWSP, ZWNJ, ZWJ, WJ)
_CARRIER_VALUE = {c: i for i, c in enumerate(CARRIERS)}

MIN_EXCERPT_CHARS = 100
MAX_FALSE_MATCH = 1e-6

REASON_MATCH = "指纹相符"
REASON_TOO_SHORT = "摘录太短"
REASON_NO_FINGERPRINT = "未找到指纹"
REASON_WEAK = "证据不足"
REASON_AMBIGUOUS = "证据不足：不止一位读者的指纹与之相符"
REASON_NOBODY = "指纹与任何读者都不相符"
REASON_CONFLICT = "指纹相互矛盾，可能拼接了多份副本"


def reader_code(key: bytes, reader_id: int | str, document_id: int | str) -> int:
    """The 62-bit code of one reader's copy of one document."""
    if not key:
        raise ValueError("fingerprint key must not be empty")
    message = f"fanwen-fingerprint/v1\x00{reader_id}\x00{document_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & CODE_MASK


def strip_carriers(text: str) -> str:
    """The text without the light-mode carriers (the exact original of a light copy)."""
    return text.translate({ord(c): None for c in CARRIERS})


@lru_cache(maxsize=1 << 16)
def _gap(a: str, b: str) -> tuple[int, int]:
    """(slot, whitening) of the gap between two adjacent ideographs."""
    h = mix64((ord(a) << 21) | ord(b))
    return h % LIGHT_SLOTS, (h >> 40) & 3


@dataclass(frozen=True, slots=True)
class _LightBlock:
    pieces: tuple[str, ...]  # text between carrier gaps; len(gaps) == len(pieces) - 1
    gaps: tuple[int, ...]  # slot * 4 + whitening, per gap


def _plan_light_block(text: str) -> _LightBlock:
    pieces: list[str] = []
    gaps: list[int] = []
    start = 0
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if is_han(a) and is_han(b):
            slot, white = _gap(a, b)
            pieces.append(text[start : i + 1])
            gaps.append(slot * 4 + white)
            start = i + 1
    pieces.append(text[start:])
    return _LightBlock(tuple(pieces), tuple(gaps))


def _light_table(code: int) -> list[str]:
    """Carrier for each (slot * 4 + whitening) key."""
    table: list[str] = []
    for slot in range(LIGHT_SLOTS):
        bits = (code >> (2 * slot)) & 3
        table.extend(CARRIERS[bits ^ white] for white in range(4))
    return table


def _apply_light(block: _LightBlock, table: list[str]) -> str:
    out = [block.pieces[0]]
    for key, piece in zip(block.gaps, block.pieces[1:], strict=True):
        out.append(table[key])
        out.append(piece)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Plan:
    """What marking needs that does not depend on the reader: build once per document
    version (cache it), then :meth:`mark` each reader's copy cheaply."""

    mode: str
    originals: tuple[str, ...]
    light: tuple[_LightBlock, ...]
    strong: strong.StrongPlan | None

    def mark(self, code: int) -> list[str]:
        texts = list(self.originals)
        if self.strong is not None:
            texts = self.strong.mark(code)
            light = tuple(_plan_light_block(t) for t in texts)
        else:
            light = self.light
        table = _light_table(code)
        return [_apply_light(block, table) for block in light]


def prepare(text_blocks: Sequence[str], mode: str = "light") -> Plan:
    if mode not in MODES:
        raise ValueError(f"unknown fingerprint mode {mode!r}; expected one of {MODES}")
    originals = tuple(text_blocks)
    for text in originals:
        if any(c in text for c in CARRIERS):
            raise ValueError("paid text already contains fingerprint carriers")
    light = tuple(_plan_light_block(t) for t in originals) if mode == "light" else ()
    strong_plan = strong.StrongPlan.build(originals) if mode == "strong" else None
    return Plan(mode=mode, originals=originals, light=light, strong=strong_plan)


def mark(text_blocks: Sequence[str], code: int, mode: str = "light") -> list[str]:
    """One reader's copy of the *paid* blocks.  Never pass free blocks: a free excerpt
    must carry no code."""
    return prepare(text_blocks, mode).mark(code)


def guaranteed_bits(text_blocks: Sequence[str], width: int = 300) -> int:
    """Code bits that *every* run of ``width`` visible characters of the light-marked
    blocks carries (whatever the code: which slots a text fills does not depend on it).
    Compute it once per document version; 0 when the paid text is shorter than ``width``."""
    gaps: list[tuple[int, int]] = []  # (visible index of the left ideograph, slot)
    index = 0
    for text in text_blocks:
        for j, ch in enumerate(text):
            if is_invisible(ch):
                continue
            if j + 1 < len(text) and is_han(ch) and is_han(text[j + 1]):
                gaps.append((index, _gap(ch, text[j + 1])[0]))
            index += 1
    if index < width:
        return 0
    counts: dict[int, int] = {}
    lo = hi = 0
    weakest = LIGHT_SLOTS
    for start in range(index - width + 1):
        while hi < len(gaps) and gaps[hi][0] + 1 <= start + width - 1:
            counts[gaps[hi][1]] = counts.get(gaps[hi][1], 0) + 1
            hi += 1
        while lo < hi and gaps[lo][0] < start:
            slot = gaps[lo][1]
            counts[slot] -= 1
            if not counts[slot]:
                del counts[slot]
            lo += 1
        weakest = min(weakest, len(counts))
    return 2 * weakest


@dataclass(frozen=True, slots=True)
class Evidence:
    visible_chars: int  # characters of the excerpt a reader would see
    mask: int  # which code bits were read
    value: int  # their values (only bits in mask)
    conflicts: int  # slots or bits read with two different values (dropped)
    carriers: int  # zero-width carriers read
    sites: int  # strong-mode variant sites read
    notes: tuple[str, ...] = field(default=())

    @property
    def bits_read(self) -> int:
        return self.mask.bit_count()


def _read_light(text: str) -> tuple[int, dict[int, set[int]], int]:
    """(visible characters, slot → code-bit values seen, carriers read)."""
    votes: dict[int, set[int]] = {}
    visible = carriers = 0
    prev = ""
    pending: list[int] = []
    for ch in text:
        value = _CARRIER_VALUE.get(ch)
        if value is not None:
            pending.append(value)
            continue
        if is_invisible(ch):
            continue
        visible += 1
        if len(pending) == 1 and prev and is_han(prev) and is_han(ch):
            slot, white = _gap(prev, ch)
            votes.setdefault(slot, set()).add(pending[0] ^ white)
            carriers += 1
        pending.clear()
        prev = ch
    return visible, votes, carriers


def read(
    text: str,
    mode_hint: str | None = None,
    *,
    original: Sequence[str] | strong.StrongPlan | None = None,
) -> Evidence:
    """The code bits present in an arbitrary excerpt.

    Light carriers are read blindly.  Strong variants need the document's paid blocks
    (``original``), because both forms of a variant also occur in unmarked prose; the
    trace finds the document first (its text is the excerpt's text) and passes them, or
    their cached ``StrongPlan`` (``prepare(blocks, "strong").strong``)."""
    visible, votes, carriers = _read_light(text)
    bit_votes: dict[int, set[int]] = {}
    conflicts = 0
    for slot, values in votes.items():
        if len(values) > 1:
            conflicts += 1
            continue
        (v,) = values
        bit_votes.setdefault(2 * slot, set()).add(v & 1)
        bit_votes.setdefault(2 * slot + 1, set()).add(v >> 1)
    sites = 0
    notes: list[str] = []
    if mode_hint != "light" and original is not None:
        plan = (
            original if isinstance(original, strong.StrongPlan) else strong.StrongPlan.build(tuple(original))
        )
        strong_votes, sites = plan.read(text)
        for bit, values in strong_votes.items():
            bit_votes.setdefault(bit, set()).update(values)
    elif mode_hint == "strong":
        notes.append("强指纹需要原文才能读取")
    mask = value = 0
    for bit, values in bit_votes.items():
        if len(values) > 1:
            conflicts += 1
            continue
        mask |= 1 << bit
        value |= next(iter(values)) << bit
    return Evidence(visible, mask, value, conflicts, carriers, sites, tuple(notes))


@dataclass(frozen=True, slots=True)
class Match:
    code: int
    who: tuple[object, ...]  # every candidate recorded with this code (e.g. two deliveries)


@dataclass(frozen=True, slots=True)
class Attribution:
    match: Match | None
    reason: str
    bits: int
    false_match_probability: float
    candidates: int


def false_match_probability(bits: int, candidates: int) -> float:
    """Chance that some of ``candidates`` unrelated codes agrees with ``bits`` read bits."""
    return min(1.0, max(candidates, 1) * 2.0**-bits)


def attribute(
    evidence: Evidence,
    candidates: Iterable[tuple[int, object]],
    *,
    max_false_match: float = MAX_FALSE_MATCH,
    min_chars: int = MIN_EXCERPT_CHARS,
) -> Attribution:
    """Name the reader whose code agrees with every bit read, or fail closed."""
    k, mask, value = evidence.bits_read, evidence.mask, evidence.value
    found: dict[int, list[object]] = {}
    n = 0
    for code, who in candidates:
        n += 1
        if code & mask == value:
            found.setdefault(code, []).append(who)
    p = false_match_probability(k, n)

    def refuse(reason: str) -> Attribution:
        return Attribution(None, reason, k, p, n)

    if evidence.visible_chars < min_chars:
        return refuse(REASON_TOO_SHORT)
    if k == 0:
        return refuse(REASON_CONFLICT if evidence.conflicts else REASON_NO_FINGERPRINT)
    if p > max_false_match:
        return refuse(REASON_WEAK)
    if not found:
        return refuse(REASON_CONFLICT if evidence.conflicts else REASON_NOBODY)
    if len(found) > 1:
        return refuse(REASON_AMBIGUOUS)
    ((code, whos),) = found.items()
    return Attribution(Match(code, tuple(whos)), REASON_MATCH, k, p, n)
