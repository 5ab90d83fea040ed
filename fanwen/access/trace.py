"""Who leaked this text?  Read the light fingerprint of an excerpt (and, when that names
nobody, the strong-mode wording variants against the document the excerpt aligns with:
:mod:`fanwen.access.trace_strong`) and compare it with the code of every (reader, document)
pair that could have had the paid text.

Candidates (:func:`trace_text`): every code a delivered file carried (as stored on its
Delivery row), and for the documents whose paid text holds the excerpt, every entitlement
(active or revoked: a refunded buyer may have copied the page before the refund), every
holder of a membership period (active or not) and the author.  Staff reading in the browser
are not candidates (documented gap).  The comparison is one AND per candidate; only the HMAC
per (reader, document) pair costs time, and the pairs are bounded by the records of the
documents the excerpt belongs to.  Attribution fails closed by :func:`fanwen.core.fingerprint.attribute`: a match
needs ≥ 100 visible characters, every read bit agreeing, exactly one code agreeing, and a
union-bound false-match chance ≤ 1e-6.
"""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db.models import BooleanField, F, Func, Q, Value

from fanwen.access import fingerprints, trace_strong
from fanwen.access.models import Delivery, Entitlement, MembershipPeriod
from fanwen.core import fingerprint
from fanwen.core.fingerprint_text import is_han, is_invisible
from fanwen.library.models import Block, Document


class UnreadableFile(ValueError):
    pass


@dataclass(frozen=True)
class Holder:
    """One record under which a reader had a document's paid text."""

    user_id: int
    username: str
    document_id: int
    via: str  # 订单 N / 会员（订单 N） / 赠送 / Word 下载
    delivered_at: datetime | None
    rank: int  # lower = better evidence (a delivered file beats a right to read)


@dataclass(frozen=True)
class TraceResult:
    match: bool
    reason: str
    bits: int
    false_match_probability: float
    candidates: int
    holder: Holder | None
    document_title: str = ""

    def as_json(self) -> dict[str, object]:
        h = self.holder
        return {
            "match": self.match,
            "document_id": h.document_id if h else None,
            "username": h.username if h else None,
            "delivered_at": h.delivered_at.isoformat() if h and h.delivered_at else None,
            "bits": self.bits,
            "false_match_probability": self.false_match_probability,
            "reason": self.reason,
        }


def text_of(data: bytes, name: str) -> str:
    """The plain text of a leaked file: .docx via python-docx, .pdf via pdftotext, else UTF-8."""
    lower = name.lower()
    try:
        if lower.endswith(".docx"):
            import docx

            word = docx.Document(io.BytesIO(data))
            parts = [p.text for p in word.paragraphs]
            for table in word.tables:
                parts.extend(cell.text for row in table.rows for cell in row.cells)
            return "\n".join(parts)
        if lower.endswith(".pdf"):
            pdftotext = shutil.which("pdftotext")
            if pdftotext is None:
                raise UnreadableFile("读取 PDF 需要 pdftotext（poppler-utils），请先安装")
            done = subprocess.run(  # noqa: S603 (fixed argv; the PDF goes in on stdin)
                [pdftotext, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=60, check=True
            )
            return done.stdout.decode("utf-8", errors="replace")
        return data.decode("utf-8-sig")
    except UnreadableFile:
        raise
    except (OSError, ValueError, KeyError, subprocess.SubprocessError) as exc:
        raise UnreadableFile(f"无法读取文件 {Path(name).name}：{exc.__class__.__name__}") from exc
    except Exception as exc:  # python-docx raises assorted errors on a broken package
        raise UnreadableFile(f"无法读取文件 {Path(name).name}：不是有效的 Word 文件") from exc


PROBE_CHARS = 10  # Han characters per probe: rare enough to pick out a document, short enough to survive edits
MAX_PROBES = 8
FIRST_PROBES = 2  # tried first (one scan of the paid blocks); the rest only when these find nothing


def probes(text: str) -> list[str]:
    """Up to MAX_PROBES runs of PROBE_CHARS Han characters from the excerpt, spread over it.
    Carriers and other invisible format characters are skipped; whitespace (a line broken by
    pdftotext), punctuation, Latin and digits end a run — a probe is text that stands in a
    paid block exactly as it is here (punctuation and wording variants are left out)."""
    runs: list[str] = []
    run: list[str] = []
    for ch in text:
        if is_han(ch):
            run.append(ch)
            continue
        if is_invisible(ch) and not ch.isspace():
            continue
        if len(run) >= PROBE_CHARS:
            runs.append("".join(run))
        run = []
    if len(run) >= PROBE_CHARS:
        runs.append("".join(run))
    pieces = [r[i : i + PROBE_CHARS] for r in runs for i in range(0, len(r) - PROBE_CHARS + 1, PROBE_CHARS)]
    if len(pieces) > MAX_PROBES:
        step = len(pieces) / MAX_PROBES
        pieces = [pieces[int(i * step)] for i in range(MAX_PROBES)]
    # The first and the last first: one scan usually settles it, from both ends of the excerpt.
    return pieces[:1] + pieces[-1:] + pieces[1:-1] if len(pieces) > 1 else pieces


def documents_of(text: str) -> set[int]:
    """The documents whose paid text holds a probe of the excerpt: one scan of the paid blocks
    with the first two probes, and one more with the others only if those find nothing (an
    edited excerpt).  The scan costs time per probe, hence not all of them at once."""
    found = probes(text)
    for batch in (found[:FIRST_PROBES], found[FIRST_PROBES:]):
        if not batch:
            continue
        query = Q()
        for probe in batch:
            query |= Q(text__contains=probe)
        documents = set(Block.objects.filter(query, paid=True).values_list("document_id", flat=True).distinct().order_by())
        if documents:
            return documents
    return set()


class _Like(Func):
    """``column LIKE pattern`` (Django has no lookup for a pattern with ``_`` wildcards)."""

    template = "(%(expressions)s)"
    arg_joiner = " LIKE "
    output_field = BooleanField()


def code_pattern(mask: int, value: int) -> str:
    """A LIKE pattern for the stored codes (16 lower-case hex digits) agreeing with the read
    bits: a digit whose four bits were all read is written out, any other is ``_``."""
    digits = []
    for position in range(15, -1, -1):
        shift = 4 * position
        if (mask >> shift) & 0xF == 0xF:
            digits.append(f"{(value >> shift) & 0xF:x}")
        else:
            digits.append("_")
    return "".join(digits)


@dataclass(frozen=True)
class _Delivered:
    """Deliveries whose file carried ``code`` (resolved to holders only if it matches)."""

    stored: frozenset[str]


def delivered_codes(mask: int, value: int, document_id: int | None = None) -> tuple[int, dict[int, set[str]]]:
    """How many distinct fingerprint codes delivered files carried (as stored on their rows,
    so a file stays traceable whatever the key is now), and those of them that may agree with
    the read bits (the database narrows by the digits read in full; the caller compares
    exactly).  Two scans of one column, no join, nothing per row in Python."""
    rows = Delivery.objects.filter(fingerprint_code__isnull=False)
    if document_id is not None:
        rows = rows.filter(document_id=document_id)
    total = rows.count()  # per delivery: at least the distinct codes, so the bound only errs high
    codes: dict[int, set[str]] = {}
    for text in rows.filter(_Like(F("fingerprint_code"), Value(code_pattern(mask, value)))).values_list(
        "fingerprint_code", flat=True
    ).order_by():
        try:
            code = int(text or "", 16)
        except ValueError:
            continue
        codes.setdefault(code, set()).add(text or "")
    return total, codes


def holders(document_ids: set[int] | None) -> Iterator[Holder]:
    """Readers who could read these documents' paid text in the browser or the API, without a
    file: entitlements (active or revoked), each document's author, and every member (active
    or not).  ``None`` = every document, without members (their product with the catalogue
    grows without bound; see :func:`trace_text`)."""
    entitlements = Entitlement.objects.all()
    authors = Document.objects.filter(chars_paid__gt=0, author__isnull=False)
    if document_ids is not None:
        entitlements = entitlements.filter(document_id__in=document_ids)
        authors = authors.filter(pk__in=document_ids)
    for e in entitlements.values(
        "user_id", "user__username", "document_id", "order__number", "source", "granted_at"
    ).order_by():
        via = f"订单 {e['order__number']}" if e["order__number"] else Entitlement.Source(e["source"]).label
        yield Holder(e["user_id"], e["user__username"], e["document_id"], via, None, 1)
    for document_id, author_id, username in authors.values_list("pk", "author_id", "author__username").order_by():
        yield Holder(author_id, username, document_id, "作者", None, 3)
    if not document_ids:
        return
    paid = list(
        Document.objects.filter(pk__in=document_ids, chars_paid__gt=0).values_list("pk", flat=True).order_by("pk")
    )
    members = MembershipPeriod.objects.values_list("user_id", "user__username").order_by().distinct()
    for user_id, username in members:
        for document_id in paid:
            yield Holder(user_id, username, document_id, "会员", None, 2)


def _delivery_holders(delivered: _Delivered) -> list[Holder]:
    rows = Delivery.objects.filter(fingerprint_code__in=delivered.stored).values(
        "user_id", "user__username", "document_id", "order__number", "basis", "format", "created_at"
    ).order_by()
    out = []
    for d in rows:
        via = f"订单 {d['order__number']}" if d["order__number"] else Delivery.Basis(d["basis"]).label
        out.append(Holder(
            d["user_id"], d["user__username"], d["document_id"], f"{via}（{Delivery.Format(d['format']).label} 下载）",
            d["created_at"], 0,
        ))
    return out


def trace_text(text: str) -> TraceResult:
    """Attribute an excerpt, failing closed.

    Candidates: every distinct code a delivered file carried (compared as stored, no hashing:
    the database picks those that may agree and counts the rest, which still count in the
    union bound), and — for the
    documents whose paid text holds the excerpt (:func:`documents_of`) — every entitlement,
    author and member of those documents, whose codes are computed (HMAC).  A member could
    have read any paid document, so members × documents is limited to those documents; when
    no document holds the excerpt (edited beyond every probe), entitlements and authors of
    all documents are compared and members are not (the trace then says no match rather than
    guess).  Fewer candidates only lower the union bound by the ones not compared: the bound
    is always over the codes actually compared.  A text carrying no light code, or too short,
    is refused by the light read without reading any record.  With FANWEN_FINGERPRINT=strong
    the strong read then looks for the document it comes from and compares only that
    document's records (an operator who switches strong off stops tracing normalised copies)."""
    result = _trace_light(text)
    if result.match or fingerprints.mode() != fingerprints.STRONG:
        return result
    # Strong mode: wording variants, read against each document the excerpt aligns with and
    # compared with that document's records only (its deliveries, entitlements, author, members).
    for document_id, plan in trace_strong.aligned_documents(text):
        evidence = fingerprint.read(text, None, original=plan)
        if not evidence.sites:
            continue
        attempt = _attribute(evidence, documents={document_id}, delivered_document=document_id)
        if attempt.match:
            return attempt
        if attempt.bits > result.bits:
            result = attempt
    return result


def _trace_light(text: str) -> TraceResult:
    evidence = fingerprint.read(text, "light")
    if evidence.bits_read == 0 or evidence.visible_chars < fingerprint.MIN_EXCERPT_CHARS:
        attribution = fingerprint.attribute(evidence, ())
        return TraceResult(False, attribution.reason, attribution.bits, attribution.false_match_probability, 0, None)
    return _attribute(evidence, documents=documents_of(text), delivered_document=None)


def _attribute(evidence: fingerprint.Evidence, *, documents: set[int], delivered_document: int | None) -> TraceResult:
    signing_key = fingerprints.key()
    codes: dict[tuple[int, int], int] = {}

    delivered_total, delivered = delivered_codes(evidence.mask, evidence.value, delivered_document)
    ruled_out = evidence.value ^ (evidence.mask & -evidence.mask)  # disagrees with a read bit

    def candidates() -> Iterator[tuple[int, object]]:
        for carried, stored in delivered.items():
            yield carried, _Delivered(frozenset(stored))
        # The delivered codes the database ruled out still count in the union bound.
        yield from itertools.repeat((ruled_out, None), max(0, delivered_total - len(delivered)))
        for h in holders(documents or None):
            pair = (h.user_id, h.document_id)
            code = codes.get(pair)
            if code is None:
                code = codes[pair] = fingerprint.reader_code(signing_key, h.user_id, h.document_id)
            yield code, h

    attribution = fingerprint.attribute(evidence, candidates())
    if attribution.match is None:
        return TraceResult(
            False, attribution.reason, attribution.bits, attribution.false_match_probability,
            attribution.candidates, None,
        )
    whos: list[Holder] = []
    for who in attribution.match.who:
        if isinstance(who, _Delivered):
            whos.extend(_delivery_holders(who))
        elif isinstance(who, Holder):
            whos.append(who)
    if not whos:  # a delivery row vanished between the two reads: claim nothing
        return TraceResult(False, fingerprint.REASON_NOBODY, attribution.bits, attribution.false_match_probability,
                           attribution.candidates, None)
    best = min(whos, key=lambda h: (h.rank, -(h.delivered_at.timestamp() if h.delivered_at else 0)))
    title = Document.objects.filter(pk=best.document_id).values_list("title", flat=True).first() or ""
    return TraceResult(
        True, attribution.reason, attribution.bits, attribution.false_match_probability,
        attribution.candidates, best, title,
    )
