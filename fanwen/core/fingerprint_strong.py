"""Strong-mode fingerprint: meaning-preserving wording variants, chosen per reader.

A *site* is an occurrence in the paid text of one form of a variant pair whose two
forms are equally correct, have the same length and the same meaning there:

=============  ==========================================================
``和`` / ``与``  conjunction or preposition "and / with" between two Han
                 characters; words that contain the character (和谐、参与、
                 与时俱进 …) are not sites
(two-character forms need a Han character after them; they may open a clause)
``更加 / 更为``  degree adverb "more"
``十分 / 非常``  degree adverb "very"; not after a numeral (二十分) nor in
                 十分之一、十分钟、非常规、非常时期 …
``而且 / 并且``  conjunction "and moreover"
``各种 / 各类``  determiner "all kinds of" before a noun; not in 各种各样
=============  ==========================================================

Every form is a CJK ideograph, unchanged by NFKC, not a format or whitespace
character, so the choice survives NFKC, removal of Cf / zero-width / variation
characters and whitespace collapse.  Replacing a form by its partner never changes
the number of characters.

Sites are numbered in document order (over all paid blocks).  Site ``s`` carries code
bit ``s mod 62``, XORed with a keyless whitening bit, so that any run of 62
consecutive sites reads all 62 bits and an *unmarked* copy reads as random bits
rather than as the all-zero code.  Both forms also occur in unmarked prose, so reading
is *informed*: the excerpt is aligned with the document's paid text (both reduced to
an NFKC skeleton without invisible characters, with each pair mapped to one class
character), and at each aligned site the form found is compared with the original.
Alignment uses 12-character chunks that occur once in the document, so an excerpt
that starts in the free part, or has a sentence deleted, still aligns piecewise.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from fanwen.core.fingerprint_text import CODE_BITS, is_han, is_invisible, mix64

PAIRS: tuple[tuple[str, str], ...] = (
    ("和", "与"), ("更加", "更为"), ("十分", "非常"), ("而且", "并且"), ("各种", "各类"),
)
_PARTNER = {a: b for a, b in PAIRS} | {b: a for a, b in PAIRS}
_FORM_RE = re.compile("|".join(sorted(_PARTNER, key=len, reverse=True)))
# Each pair becomes one class in the alignment skeleton (same length for both forms).
_CLASS = str.maketrans({"与": "和", "为": "加", "非": "十", "常": "分", "并": "而", "类": "种"})

_EXCLUDED_WORDS = (
    "和谐 和平 温和 缓和 总和 和睦 和蔼 平和 柔和 饱和 调和 随和 和解 和煦 和气 和衷 人和 和美 "
    "暖和 和风 共和 和善 祥和 讲和 附和 和盘 和声 掺和 搅和 和合 和顺 谦和 和畅 亲和 中和 和好 "
    "和约 求和 议和 和局 和弦 保和 和田 和悦 和缓 和易 和事 和尚 "
    "参与 与会 与时俱进 与其 与否 给与 赋与 授与 与日俱增 与众不同 相与 与人为善 与共 与生俱来 "
    "与世 与闻 干与 "
    "十分之 十分钟 非常规 非常态 非常时 非常设 非常任 非常委 非常务 非常之 "
    "各种各样"
).split()
_NUMERALS = frozenset("〇一二三四五六七八九十百千万零两几")
_CONTEXT = 3  # characters either side of a site that must agree with the original


def _exclusions() -> dict[str, tuple[tuple[str, int], ...]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for form in _PARTNER:
        for word in _EXCLUDED_WORDS:
            start = word.find(form)
            while start >= 0:
                found.setdefault(form, []).append((word, start))
                start = word.find(form, start + 1)
    return {form: tuple(words) for form, words in found.items()}


_EXCLUDED = _exclusions()


def _is_site(text: str, start: int, form: str) -> bool:
    end = start + len(form)
    if end >= len(text) or not is_han(text[end]):
        return False
    if len(form) == 1 and (start == 0 or not is_han(text[start - 1])):
        return False  # 和 / 与 stand between two words
    for word, offset in _EXCLUDED.get(form, ()):
        if text[start - offset : start - offset + len(word)] == word:
            return False
    return not (form == "十分" and start > 0 and text[start - 1] in _NUMERALS)


def find_sites(text: str) -> list[tuple[int, str]]:
    """(start, form) of every variant site in one block, in order."""
    return [(m.start(), m.group(0)) for m in _FORM_RE.finditer(text) if _is_site(text, m.start(), m.group(0))]


def _whitening(ordinal: int) -> int:
    return mix64(ordinal ^ 0x5354524F4E47) & 1


def _skeleton(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not is_invisible(ch))


@dataclass(frozen=True, slots=True)
class _Site:
    ordinal: int
    block: int
    start: int
    form: str  # as in the original
    partner: str


@dataclass(frozen=True, slots=True)
class StrongPlan:
    originals: tuple[str, ...]
    sites: tuple[_Site, ...]
    skeleton: str  # NFKC, no invisible characters, blocks joined
    canon: str  # skeleton with each pair mapped to its class
    site_at: dict[int, _Site]  # skeleton position → site starting there

    @classmethod
    def build(cls, originals: tuple[str, ...]) -> StrongPlan:
        sites: list[_Site] = []
        for b, text in enumerate(originals):
            for start, form in find_sites(text):
                sites.append(_Site(len(sites), b, start, form, _PARTNER[form]))
        by_origin = {(s.block, s.start): s for s in sites}
        chars: list[str] = []
        site_at: dict[int, _Site] = {}
        for b, text in enumerate(originals):
            for j, ch in enumerate(text):
                site = by_origin.get((b, j))
                if site is not None:
                    site_at[len(chars)] = site
                chars.extend(_skeleton(ch))
        skeleton = "".join(chars)
        return cls(originals, tuple(sites), skeleton, skeleton.translate(_CLASS), site_at)

    def choice(self, site: _Site, code: int) -> str:
        flip = ((code >> (site.ordinal % CODE_BITS)) & 1) ^ _whitening(site.ordinal)
        return site.partner if flip else site.form

    def mark(self, code: int) -> list[str]:
        out = [list(text) for text in self.originals]
        for site in self.sites:
            chosen = self.choice(site, code)
            out[site.block][site.start : site.start + len(chosen)] = list(chosen)
        return ["".join(chars) for chars in out]

    def _offsets(self, canon: str, chunk: int = 12, step: int = 4) -> list[int]:
        """Offsets (document position − excerpt position) that two or more unique
        chunks of the excerpt agree on."""
        votes: Counter[int] = Counter()
        for j in range(0, max(len(canon) - chunk, 0) + 1, step):
            piece = canon[j : j + chunk]
            if len(piece) < chunk:
                break
            p = self.canon.find(piece)
            if p >= 0 and self.canon.find(piece, p + 1) < 0:
                votes[p - j] += 1
        return [offset for offset, n in votes.items() if n >= 2]

    def read(self, text: str) -> tuple[dict[int, set[int]], int]:
        """(code bit → values read, number of sites read) from an excerpt."""
        raw = _skeleton(text)
        canon = raw.translate(_CLASS)
        doc = self.canon
        votes: dict[int, set[int]] = {}
        seen: set[int] = set()
        for offset in self._offsets(canon):
            for i in range(max(0, -offset), min(len(canon), len(doc) - offset)):
                site = self.site_at.get(i + offset)
                if site is None or site.ordinal in seen:
                    continue
                o, n = i + offset, len(site.form)
                left = min(_CONTEXT, i, o)
                right = min(_CONTEXT, len(canon) - i - n, len(doc) - o - n)
                if (
                    left + right < _CONTEXT
                    or canon[i - left : i + n + right] != doc[o - left : o + n + right]
                ):
                    continue
                found = raw[i : i + n]
                if found not in (site.form, site.partner):
                    continue
                seen.add(site.ordinal)
                flip = int(found == site.partner)
                votes.setdefault(site.ordinal % CODE_BITS, set()).add(flip ^ _whitening(site.ordinal))
        return votes, len(seen)


_VARIANT_CHARS = frozenset("".join(_PARTNER))
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def lookup_chunks(text: str, count: int = 6, width: int = 8) -> list[str]:
    """Up to ``count`` runs of ``width`` Han ideographs of the excerpt, spread over it, with
    no character of a variant form: they read the same in every reader's copy, before and
    after NFKC, so a plain substring search of the stored paid text finds the document."""
    skeleton = _skeleton(text)
    chunks: list[str] = []
    for run in _HAN_RUN.findall(skeleton):
        start = 0
        while start + width <= len(run):
            piece = run[start : start + width]
            bad = [i for i, ch in enumerate(piece) if ch in _VARIANT_CHARS]
            if bad:
                start += bad[-1] + 1
                continue
            chunks.append(piece)
            start += width
    if len(chunks) <= count:
        return chunks
    step = len(chunks) / count
    return [chunks[int(i * step)] for i in range(count)]
