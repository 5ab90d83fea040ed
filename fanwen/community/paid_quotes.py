"""Does a review quote the paid part?  A run of ``RUN`` consecutive characters of the review,
normalised (NFKC, case-folded, without whitespace or invisible characters), that occurs in the
document's normalised paid blocks.  Answers True or False only: no paid text leaves this module.
The paid blocks are read here, at write time (``services``) or when a review's check is stale."""

from __future__ import annotations

import unicodedata

from fanwen.library.models import Block

RUN = 12
_DROP = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}  # whitespace, controls, format and combining marks


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) not in _DROP)


def paid_text_of(document_id: int) -> str:
    """The paid part, normalised, blocks separated by a character no normalised text holds."""
    rows = Block.objects.filter(document_id=document_id, paid=True).order_by("position").values_list("lead", "text")
    return "\x00".join(normalise(lead + text) for lead, text in rows)


def quotes(review_text: str, paid: str, *, run: int = RUN) -> bool:
    if not paid:
        return False
    shown = normalise(review_text)
    return any(shown[i:i + run] in paid for i in range(len(shown) - run + 1))
