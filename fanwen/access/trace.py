"""Who leaked this text?  Read the light fingerprint of an excerpt and compare it with the
code of every (reader, document) pair that could have had the paid text.

Candidates: every Delivery row with a code (a Word or PDF file), every entitlement
(active or revoked: a refunded buyer may have copied the page before the refund), and every
holder of a membership period (active or not) × every document with a paid part, and each
paid document's author.  Staff reading in the browser are not candidates (documented gap).  The comparison is one AND per candidate; only the HMAC per pair
costs time.  Attribution fails closed by :func:`fanwen.core.fingerprint.attribute`: a match
needs ≥ 100 visible characters, every read bit agreeing, exactly one code agreeing, and a
union-bound false-match chance ≤ 1e-6.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fanwen.access import fingerprints, trace_strong
from fanwen.access.models import Delivery, Entitlement, MembershipPeriod
from fanwen.core import fingerprint
from fanwen.library.models import Document


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


def holders() -> Iterator[Holder]:
    for d in Delivery.objects.filter(fingerprint_code__isnull=False).values(
        "user_id", "user__username", "document_id", "order__number", "basis", "created_at"
    ).order_by():
        via = f"订单 {d['order__number']}" if d["order__number"] else Delivery.Basis(d["basis"]).label
        yield Holder(d["user_id"], d["user__username"], d["document_id"], f"{via}（Word 下载）", d["created_at"], 0)
    for e in Entitlement.objects.values(
        "user_id", "user__username", "document_id", "order__number", "source", "granted_at"
    ).order_by():
        via = f"订单 {e['order__number']}" if e["order__number"] else Entitlement.Source(e["source"]).label
        yield Holder(e["user_id"], e["user__username"], e["document_id"], via, None, 1)
    for document_id, author_id, username in Document.objects.filter(
        chars_paid__gt=0, author__isnull=False
    ).values_list("pk", "author_id", "author__username").order_by():
        yield Holder(author_id, username, document_id, "作者", None, 3)
    members = dict(
        MembershipPeriod.objects.values_list("user_id", "user__username").order_by().distinct()
    )
    if members:
        paid_documents = list(Document.objects.filter(chars_paid__gt=0).values_list("pk", flat=True))
        for user_id, username in members.items():
            for document_id in paid_documents:
                yield Holder(user_id, username, document_id, "会员", None, 2)


def trace_text(text: str) -> TraceResult:
    """Light carriers first (read blindly, every candidate); if they name nobody, the
    strong variants, read against each document the excerpt aligns with and compared
    with that document's holders only.  The best-supported refusal is returned."""
    result = _attribute(fingerprint.read(text, "light"), document_id=None)
    if result.match:
        return result
    for document_id, plan in trace_strong.aligned_documents(text):
        evidence = fingerprint.read(text, None, original=plan)
        if not evidence.sites:
            continue
        attempt = _attribute(evidence, document_id=document_id)
        if attempt.match or attempt.bits > result.bits:
            result = attempt
        if attempt.match:
            break
    return result


def _attribute(evidence: fingerprint.Evidence, *, document_id: int | None) -> TraceResult:
    signing_key = fingerprints.key()
    codes: dict[tuple[int, int], int] = {}

    def candidates() -> Iterator[tuple[int, Holder]]:
        for h in holders():
            if document_id is not None and h.document_id != document_id:
                continue
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
    whos = [w for w in attribution.match.who if isinstance(w, Holder)]
    best = min(whos, key=lambda h: (h.rank, -(h.delivered_at.timestamp() if h.delivered_at else 0)))
    title = Document.objects.filter(pk=best.document_id).values_list("title", flat=True).first() or ""
    return TraceResult(
        True, attribution.reason, attribution.bits, attribution.false_match_probability,
        attribution.candidates, best, title,
    )
