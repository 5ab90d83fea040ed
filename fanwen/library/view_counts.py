"""Read counts.  Reads are tallied in this process and written in batches, so a busy page
costs no database write per request."""

from __future__ import annotations

import threading
import time

from django.db import transaction
from django.db.models import F

from fanwen.library.changes import document_changed
from fanwen.library.models import Document

VIEW_FLUSH_EVERY = 200
VIEW_FLUSH_SECONDS = 10.0
_view_lock = threading.Lock()
_views_pending: dict[int, int] = {}
_views_flushed_at = time.monotonic()


def document_count_view(*, document_id: int) -> None:
    """Count a read.  Reads are tallied in this process and written when a document has
    VIEW_FLUSH_EVERY pending or every VIEW_FLUSH_SECONDS, so a busy page costs no write
    per request.  A crash loses at most those pending counts."""
    global _views_flushed_at
    now = time.monotonic()
    with _view_lock:
        _views_pending[document_id] = _views_pending.get(document_id, 0) + 1
        if now - _views_flushed_at >= VIEW_FLUSH_SECONDS:
            due, _views_flushed_at = dict(_views_pending), now
            _views_pending.clear()
        elif _views_pending[document_id] >= VIEW_FLUSH_EVERY:
            due = {document_id: _views_pending.pop(document_id)}
        else:
            return
    with transaction.atomic():
        for pk, count in due.items():
            Document.objects.filter(pk=pk).update(views=F("views") + count)
            document_changed(document_id=pk)  # keeps "most read" sorting fresh


def reset() -> None:
    """Forget pending counts (tests)."""
    global _views_flushed_at
    with _view_lock:
        _views_pending.clear()
        _views_flushed_at = time.monotonic()
