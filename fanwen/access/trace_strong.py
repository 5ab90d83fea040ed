"""Which document does a normalised excerpt come from?  Strong-mode variants can only be
read against the original paid text (both forms also occur in unmarked prose), so the
trace first finds the documents whose paid blocks contain runs of the excerpt that no
variant touches (:func:`fanwen.core.fingerprint_strong.lookup_chunks`), then reads the
variants against each one's cached plan.
"""

from __future__ import annotations

from collections import Counter

from fanwen.access import fingerprints
from fanwen.core import fingerprint_strong
from fanwen.library.models import Block

MAX_DOCUMENTS = 3


def aligned_documents(text: str, limit: int = MAX_DOCUMENTS) -> list[tuple[int, fingerprint_strong.StrongPlan]]:
    """(document id, strong plan of its paid text) for the documents the excerpt's paid
    text comes from, best first: found by at least two chunks (one if it has only one)."""
    chunks = fingerprint_strong.lookup_chunks(text)
    if not chunks:
        return []
    votes: Counter[int] = Counter()
    for chunk in chunks:
        found = (
            Block.objects.filter(paid=True, text__contains=chunk)
            .values_list("document_id", flat=True)
            .order_by()
            .distinct()[:50]
        )
        votes.update(set(found))
    needed = min(2, len(chunks))
    out: list[tuple[int, fingerprint_strong.StrongPlan]] = []
    for document_id, n in votes.most_common():
        if n < needed or len(out) >= limit:
            break
        texts = list(
            Block.objects.filter(document_id=document_id, paid=True).order_by("position").values_list("text", flat=True)
        )
        plan = fingerprints.plan_for(texts, fingerprints.STRONG).strong
        if plan is not None and plan.sites:
            out.append((document_id, plan))
    return out
