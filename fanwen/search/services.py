"""Writes that feed the search index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fanwen.search.models import IndexOutbox


def index_outbox_on_documents_changed(*, document_ids: Iterable[int], action: str, **_: Any) -> None:
    """Receiver of ``library.changes.documents_changed_signal`` (connected in ``apps.py``):
    one outbox row per document, in the sender's transaction."""
    IndexOutbox.objects.bulk_create((IndexOutbox(document_id=pk, action=action) for pk in document_ids), batch_size=1000)
