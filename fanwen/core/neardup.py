"""Near-duplicate detection for Chinese text: MinHash over character shingles, LSH bands.

* :func:`normalise` folds what a copier changes for free: NFKC (full-width forms), case,
  traditional → simplified (OpenCC t2s, as search does), and drops punctuation, whitespace and
  invisible characters (format chars such as U+200B are not ``\\w``).  An encoding (GB18030 vs
  UTF-8) is gone before text reaches here: readers decode files.
* :func:`shingles`: the set of overlapping ``K``-character strings of the normalised text.
  ``K = 5`` was picked by measurement (docs/decisions.md): short enough that a sentence with a
  few words changed keeps most of its shingles, long enough that two unrelated 范文 sharing the
  genre's stock phrases (坚持、加强、提高 …) stay far apart.
* :func:`signature`: a datasketch MinHash of ``NUM_PERM`` permutations as ``uint32`` values.
* :func:`bands`: ``BANDS`` hashes of ``ROWS`` consecutive values each; two documents become
  candidates when one band matches.  16 × 4 puts the S-curve's midpoint near Jaccard 0.5.
* :func:`passages`: the sentences the two texts share, grouped into runs, for side-by-side
  display (reordered paragraphs still pair up).

No Django here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from datasketch import MinHash

from fanwen.core import segment

K = 5
NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SEED = 20261130
THRESHOLD = 0.5  # estimated Jaccard at and above which staff are shown a match

_DROP_RE = re.compile(r"[\W_]+", re.UNICODE)
_SENTENCE_RE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")

def _precomputed(value: int) -> int:
    """The MinHash's hash function: the shingles arrive already hashed (:func:`_shingle_hashes`)."""
    return value


_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_precomputed)  # permutations computed once


def normalise(text: str) -> str:
    """Text as compared: NFKC, lower case, simplified script, letters and digits only."""
    return _DROP_RE.sub("", segment.normalise(text))


def shingles(text: str, k: int = K) -> set[str]:
    """Character ``k``-shingles of the normalised text (a short text is one shingle)."""
    norm = normalise(text)
    if len(norm) <= k:
        return {norm} if norm else set()
    return {norm[i : i + k] for i in range(len(norm) - k + 1)}


_MAX_HASH = np.uint64((1 << 32) - 1)
_MIX = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def _shingle_hashes(norm: str, k: int = K) -> np.ndarray:
    """A 32-bit hash of every ``k``-character shingle of a normalised text, computed for all
    shingles at once (a polynomial over the code points, then a 64-bit finaliser) — instead of
    one SHA-1 per shingle in Python, which cost 8 ms per document and 60 % of an import."""
    points = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    n = max(len(points) - k + 1, 1)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(min(k, len(points))):
            h = h * np.uint64(1_000_003) + points[j : j + n]
        for mix in _MIX:
            h = (h ^ (h >> np.uint64(33))) * mix
        h ^= h >> np.uint64(33)
    return np.unique(h & _MAX_HASH)


def _minhash(hashes: np.ndarray) -> np.ndarray:
    """datasketch's MinHash (its permutations and min-reduction) over precomputed hashes."""
    m = _TEMPLATE.copy()
    m.update_batch(hashes.tolist())
    return np.asarray(m.hashvalues, dtype=np.uint32)


def signature_of_shingles(items: Iterable[str]) -> np.ndarray:
    """The signature of a given set of shingles (tests; :func:`signature` hashes in bulk)."""
    hashes = [_shingle_hashes(s, k=len(s))[0] for s in items if s]
    if not hashes:
        return np.asarray(_TEMPLATE.hashvalues, dtype=np.uint32)
    return _minhash(np.unique(np.asarray(hashes, dtype=np.uint64)))


def signature(text: str) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32 values) of the text's ``K``-shingles."""
    norm = normalise(text)
    if not norm:
        return np.asarray(_TEMPLATE.hashvalues, dtype=np.uint32)
    return _minhash(_shingle_hashes(norm, k=K))


def to_bytes(sig: np.ndarray) -> bytes:
    return np.asarray(sig, dtype="<u4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    return float(np.count_nonzero(np.asarray(a) == np.asarray(b))) / len(a)


def jaccard(text_a: str, text_b: str) -> float:
    """Exact Jaccard of the two texts' shingle sets (for display and tests)."""
    a, b = shingles(text_a), shingles(text_b)
    if not a and not b:
        return 1.0  # as the signatures say: two empty texts are the same
    return len(a & b) / len(a | b)


def bands(sig: np.ndarray) -> list[int]:
    """One signed 64-bit hash per band (fits a database bigint); the band number is mixed in."""
    raw = np.asarray(sig, dtype="<u4")
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(raw[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8,
                                 person=b"fanwen-band-%02d" % band).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return out


def sentences(text: str) -> list[str]:
    """Sentences as written (punctuation kept), blank ones dropped."""
    return [s.strip() for s in _SENTENCE_RE.findall(text) if normalise(s)]


@dataclass(frozen=True)
class Passage:
    """A run of sentences present in both texts: ``a[a_start:a_end]`` ≈ ``b[b_start:b_end]``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str

    @property
    def length(self) -> int:
        return len(normalise(self.a_text))


def passages(text_a: str, text_b: str, *, min_chars: int = 8) -> list[Passage]:
    """The overlapping passages, longest first.  Sentences are compared normalised, so a
    traditional-script or full-width copy pairs with its original; each run of A is matched
    with difflib against B, so reordered paragraphs each find their place."""
    sa, sb = sentences(text_a), sentences(text_b)
    na, nb = [normalise(s) for s in sa], [normalise(s) for s in sb]
    found: list[Passage] = []
    used_a = [False] * len(sa)
    matcher = SequenceMatcher(None, na, nb, autojunk=False)
    for m in matcher.get_matching_blocks():
        if m.size:
            found.append(_passage(sa, sb, m.a, m.a + m.size, m.b, m.b + m.size))
            for i in range(m.a, m.a + m.size):
                used_a[i] = True
    # a second pass over what is left of A finds blocks difflib skipped for order's sake
    rest = [i for i, used in enumerate(used_a) if not used]
    index_b: dict[str, list[int]] = {}
    for j, s in enumerate(nb):
        index_b.setdefault(s, []).append(j)
    i_pos = 0
    while i_pos < len(rest):
        i = rest[i_pos]
        hits = index_b.get(na[i])
        if not hits:
            i_pos += 1
            continue
        j = hits[0]
        end_i, end_j = i + 1, j + 1
        while end_i < len(na) and end_j < len(nb) and not used_a[end_i] and na[end_i] == nb[end_j]:
            end_i, end_j = end_i + 1, end_j + 1
        found.append(_passage(sa, sb, i, end_i, j, end_j))
        for x in range(i, end_i):
            used_a[x] = True
        while i_pos < len(rest) and rest[i_pos] < end_i:
            i_pos += 1
    return sorted((p for p in found if p.length >= min_chars), key=lambda p: (-p.length, p.a_start))


def _passage(sa: Sequence[str], sb: Sequence[str], a0: int, a1: int, b0: int, b1: int) -> Passage:
    return Passage(a0, a1, b0, b1, "".join(sa[a0:a1]), "".join(sb[b0:b1]))
