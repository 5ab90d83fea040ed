"""What moderation hears from the library, kept apart from services.py so that Django's start
does not import the MinHash libraries (datasketch, numpy, scipy: half a second)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fanwen.library.changes import UPSERT
from fanwen.moderation.models import Band, Signature


def dupes_on_documents_changed(sender: Any, *, document_ids: Iterable[int], action: str, **kwargs: Any) -> None:
    """A changed document loses its signature (two plain DELETEs, nothing computed here): the
    worker (:func:`dupes_check_pending`) indexes and checks every document without one within a
    second.  Computing it inside the import's transaction made an import 5× slower."""
    if action != UPSERT:
        return
    ids = list(document_ids)
    Signature.objects.filter(document_id__in=ids).delete()
    Band.objects.filter(document_id__in=ids).delete()
