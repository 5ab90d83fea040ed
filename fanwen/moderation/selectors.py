"""Reads for the near-duplicate index and the review queue (staff only; never rendered to others)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Q

from fanwen.core import neardup
from fanwen.library.models import Block, Document
from fanwen.moderation.models import Band, DuplicateMatch, Signature


def document_full_text(*, document_id: int) -> str:
    """Free and paid text, one block a line: only for the signature and the staff compare page."""
    return "\n".join(Block.objects.filter(document_id=document_id).order_by("position").values_list("text", flat=True))


def signature_of(*, document_id: int) -> np.ndarray | None:
    raw = Signature.objects.filter(document_id=document_id).values_list("minhash", flat=True).first()
    return None if raw is None else neardup.from_bytes(bytes(raw))


def candidates(*, document_id: int, band_hashes: Sequence[int], statuses: Sequence[str]) -> list[tuple[int, np.ndarray]]:
    """Documents sharing a band with the signature, with their signatures: one indexed query each."""
    ids = (Band.objects.filter(hash__in=list(band_hashes)).exclude(document_id=document_id)
           .values_list("document_id", flat=True).distinct())
    rows = Signature.objects.filter(document_id__in=ids, document__status__in=list(statuses))
    return [(d, neardup.from_bytes(bytes(raw))) for d, raw in rows.values_list("document_id", "minhash")]


def matches_of(*, document_id: int, limit: int = 10) -> list[DuplicateMatch]:
    return list(DuplicateMatch.objects.filter(document_id=document_id).select_related("other", "other__author")
                .order_by("-similarity", "other_id")[:limit])


def review_queue(*, limit: int = 200) -> list[Document]:
    """Documents under review, oldest first, with their top match's similarity (``top_similarity``)."""
    docs = list(Document.objects.filter(status=Document.Status.PENDING).select_related("author", "category")
                .order_by("created_at", "pk")[:limit])
    top: dict[int, float] = {}
    for m in DuplicateMatch.objects.filter(document_id__in=[d.pk for d in docs]).order_by("-similarity"):
        top.setdefault(m.document_id, m.similarity)
    for d in docs:
        d.top_similarity = top.get(d.pk)  # type: ignore[attr-defined]
    return docs


def author_history(*, author_id: int | None) -> dict[str, Any]:
    """Published and rejected counts (reports when that app exists; None until then)."""
    if author_id is None:
        return {"published": 0, "rejected": 0, "pending": 0, "reported": None}
    counts = Document.objects.filter(author_id=author_id).aggregate(
        published=Count("pk", filter=Q(status=Document.Status.PUBLISHED)),
        rejected=Count("pk", filter=Q(status=Document.Status.REJECTED)),
        pending=Count("pk", filter=Q(status=Document.Status.PENDING)),
    )
    return {**counts, "reported": None}


@dataclass(frozen=True)
class Comparison:
    document: Document
    other: Document
    similarity: float  # estimated from the signatures, as stored in the match
    exact: float  # exact Jaccard of the shingle sets
    passages: list[neardup.Passage]


def comparison(*, document_id: int, other_id: int) -> Comparison | None:
    """The two texts' overlapping passages, for a match that was found (else None)."""
    match = DuplicateMatch.objects.filter(document_id=document_id, other_id=other_id).select_related(
        "document", "other").first()
    if match is None:
        return None
    a, b = document_full_text(document_id=document_id), document_full_text(document_id=other_id)
    return Comparison(match.document, match.other, match.similarity, neardup.jaccard(a, b), neardup.passages(a, b)[:50])
