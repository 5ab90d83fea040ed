"""Writes that feed the search index."""

from __future__ import annotations

from fanwen.search.models import IndexOutbox


def index_outbox_record(*, document_id: int, action: str = IndexOutbox.Action.UPSERT) -> None:
    """Call inside the transaction that changed the document."""
    IndexOutbox.objects.create(document_id=document_id, action=action)
