"""Near-duplicate index (signatures + LSH band rows in the database, shared by every host) and
the review decisions.  Writes only; reads are in selectors.py.

The uploader is never told of a match: these functions return nothing to upload paths, and the
upload pages say 审核中 whatever was found (tests/moderation/test_no_oracle.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import transaction

from fanwen.audit.services import audit_record
from fanwen.core import neardup
from fanwen.library import services as library_services
from fanwen.library.models import Document
from fanwen.moderation import selectors
from fanwen.moderation.models import Band, DuplicateMatch, Signature

#: documents a new one is compared with (besides itself)
COMPARED_STATUSES = (Document.Status.PUBLISHED, Document.Status.PENDING)
REJECT_TEMPLATES = ("内容重复", "质量过低", "侵权", "分类错误")


class ReviewRefused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def signature_index(*, document_id: int) -> np.ndarray | None:
    """(Re)compute and store the document's signature and band rows; None for an empty text."""
    text = selectors.document_full_text(document_id=document_id)
    if not neardup.normalise(text):
        return None
    sig = neardup.signature(text)
    with transaction.atomic():
        Signature.objects.update_or_create(document_id=document_id, defaults={"minhash": neardup.to_bytes(sig)})
        Band.objects.filter(document_id=document_id).delete()
        Band.objects.bulk_create([Band(document_id=document_id, hash=h) for h in neardup.bands(sig)])
    return sig


def matches_find(*, document_id: int, sig: np.ndarray, threshold: float = neardup.THRESHOLD) -> list[DuplicateMatch]:
    """Candidates from the band rows, kept when the estimated Jaccard reaches ``threshold``;
    stored as DuplicateMatch rows (replacing earlier ones) for staff."""
    found = [
        (other_id, similarity)
        for other_id, other_sig in selectors.candidates(document_id=document_id, band_hashes=neardup.bands(sig),
                                                        statuses=COMPARED_STATUSES)
        if (similarity := neardup.similarity(sig, other_sig)) >= threshold
    ]
    with transaction.atomic():
        DuplicateMatch.objects.filter(document_id=document_id).delete()
        rows = DuplicateMatch.objects.bulk_create(
            [DuplicateMatch(document_id=document_id, other_id=o, similarity=s) for o, s in found]
        )
    return sorted(rows, key=lambda m: -m.similarity)


def dupes_check(*, document_id: int) -> list[DuplicateMatch]:
    """Index the document and find its near-duplicates (on upload and import)."""
    sig = signature_index(document_id=document_id)
    return [] if sig is None else matches_find(document_id=document_id, sig=sig)


def dupes_check_pending(*, limit: int = 200) -> int:
    """Index and check documents (published or under review) that have no signature yet: new
    uploads and imports, and changed texts.  Run by the worker every second."""
    ids = list(
        Document.objects.filter(status__in=COMPARED_STATUSES)
        .exclude(pk__in=Signature.objects.values("document_id"))
        .order_by("pk").values_list("pk", flat=True)[:limit]
    )
    for document_id in ids:
        dupes_check(document_id=document_id)
    return len(ids)


def dupes_rebuild(*, batch: int = 500) -> int:
    """Recompute every signature and band row, then the matches of documents under review."""
    count = 0
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        for document_id in ids[start : start + batch]:
            count += signature_index(document_id=document_id) is not None
    for document_id in Document.objects.filter(status=Document.Status.PENDING).values_list("pk", flat=True):
        sig = selectors.signature_of(document_id=document_id)
        if sig is not None:
            matches_find(document_id=document_id, sig=sig)
    return count


def clean_reason(reason: str) -> str:
    return " ".join(str(reason).split())[:200]


def review_decide(*, document_ids: Iterable[int], approve: bool, reason: str = "", actor: Any) -> list[int]:
    """Approve (publish) or reject (已驳回, with a reason) documents under review; the ids decided.
    Library writes the status, its audit row and the author's 站内信; the queue's own audit row
    records the decision and reason."""
    reason = clean_reason(reason)
    if not approve and not reason:
        raise ReviewRefused("驳回须填写原因（将告知作者）")
    ids = sorted({int(i) for i in document_ids})
    if not ids:
        raise ReviewRefused("请至少选择一篇文档")
    decided = []
    for document_id in ids:
        with transaction.atomic():
            document = Document.objects.select_for_update().filter(pk=document_id).first()
            if document is None or document.status != Document.Status.PENDING:
                continue
            if approve:
                library_services.document_set_status(
                    document_id=document_id, status=Document.Status.PUBLISHED, actor=actor)
            else:
                library_services.document_reject(document_id=document_id, reason=reason, actor=actor)
            audit_record(action="moderation.review." + ("approved" if approve else "rejected"), actor=actor,
                         subject=document, data={"reason": reason} if reason else {})
            decided.append(document_id)
    if not decided:
        raise ReviewRefused("所选文档都已不在待审核状态")
    return decided
