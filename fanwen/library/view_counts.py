"""Read counts.  Reads are tallied in this process and written in batches, so a busy page
costs no database write per request.

A flush does NOT touch the search index: it marks each document's count as not yet indexed
(``Document.views_unindexed_since``, in the same UPDATE), and :func:`views_reindex_due` (the
worker, every minute, on any number of hosts) hands the search outbox the documents marked for
at least ``FANWEN_VIEWS_REINDEX_SECONDS`` (default 300).  So a document read all day is
re-indexed at most once per that interval, not at every flush of every host; the index's
"most read" order may lag the page's count by that long.

Each flush also sends :data:`views_flushed` inside its transaction with the reads and paywall
views per document (the author dashboard's daily counts listen, ``stats/apps.py``), so the
library does not import who listens."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from fanwen.library.changes import documents_counts_changed
from fanwen.library.models import Document

VIEW_FLUSH_EVERY = 200
VIEW_FLUSH_SECONDS = 10.0
_view_lock = threading.Lock()
#: sent inside the flush transaction with ``counts``: {document_id: (reads, paywall_views)}
views_flushed = Signal()
PAYWALL_IF_PAID = None  # an anonymous page served from the cache: the card is on it iff there is a paid part
# document id -> [reads, paywall views, cached anonymous reads (paywall views iff the document has a paid part)]
_views_pending: dict[int, list[int]] = {}
_views_flushed_at = time.monotonic()


def document_count_view(*, document_id: int, paywall: bool | None = False) -> None:
    """Count a read, and a paywall view when the reader got the page with the paywall card
    (``paywall=True``; ``PAYWALL_IF_PAID`` for a cached anonymous page, decided at the flush).
    Tallied in this process and written when a document has VIEW_FLUSH_EVERY pending or every
    VIEW_FLUSH_SECONDS, so a busy page costs no write per request.  A crash loses at most
    those pending counts."""
    global _views_flushed_at
    now = time.monotonic()
    with _view_lock:
        tally = _views_pending.setdefault(document_id, [0, 0, 0])
        tally[0] += 1
        if paywall is not False:
            tally[1 if paywall else 2] += 1
        if now - _views_flushed_at >= VIEW_FLUSH_SECONDS:
            due, _views_flushed_at = dict(_views_pending), now
            _views_pending.clear()
        elif tally[0] >= VIEW_FLUSH_EVERY:
            due = {document_id: _views_pending.pop(document_id)}
        else:
            return
    _write(due)


def flush() -> None:
    """Write every pending count now (tests, benchmarks)."""
    global _views_flushed_at
    with _view_lock:
        due, _views_flushed_at = dict(_views_pending), time.monotonic()
        _views_pending.clear()
    if due:
        _write(due)


def _write(due: dict[int, list[int]]) -> None:
    # Row locks in document-id order (and the listeners' rows in key order, stats._upsert): two
    # processes flushing the same documents wait for each other instead of deadlocking.
    due = dict(sorted(due.items()))
    with transaction.atomic():
        cached = [pk for pk, (_, _, maybe) in due.items() if maybe]
        paid = set(Document.objects.filter(pk__in=cached, chars_paid__gt=0).values_list("pk", flat=True)) if cached else set()
        now = timezone.now()
        for pk, (reads, _, _) in sorted(due.items()):  # ascending: two flushes never deadlock
            # No outbox row here: views_reindex_due re-indexes the count at most every few minutes.
            Document.objects.filter(pk=pk).update(
                views=F("views") + reads, views_unindexed_since=Coalesce(F("views_unindexed_since"), Value(now))
            )
        counts = {pk: (reads, shown + (maybe if pk in paid else 0)) for pk, (reads, shown, maybe) in due.items()}
        views_flushed.send(sender=None, counts=counts)


def views_reindex_seconds() -> float:
    return max(float(getattr(settings, "FANWEN_VIEWS_REINDEX_SECONDS", 300)), 0.0)


def views_reindex_due(*, batch: int = 2000) -> int:
    """Give the search outbox the documents whose counts it has lacked for at least
    ``FANWEN_VIEWS_REINDEX_SECONDS``, and clear their mark; returns how many.  The worker runs it
    every minute on every host: the rows are claimed with ``FOR UPDATE SKIP LOCKED`` and cleared
    in the transaction that writes their outbox rows, so each mark yields one outbox row, once."""
    cutoff = timezone.now() - timedelta(seconds=views_reindex_seconds())
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                # NO KEY: a purchase's foreign-key check on the document (KEY SHARE) is not held up.
                Document.objects.select_for_update(skip_locked=True, no_key=True)
                .filter(views_unindexed_since__lte=cutoff)
                .order_by("views_unindexed_since")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return total
            Document.objects.filter(pk__in=ids).update(views_unindexed_since=None)
            documents_counts_changed(document_ids=ids)
        total += len(ids)
        if len(ids) < batch:
            return total


def reset() -> None:
    """Forget pending counts (tests)."""
    global _views_flushed_at
    with _view_lock:
        _views_pending.clear()
        _views_flushed_at = time.monotonic()
