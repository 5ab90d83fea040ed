"""Writes that feed the search index, and the search log (query and result count only)."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fanwen.search.models import IndexOutbox, SearchQueryDay

log = logging.getLogger("fanwen.search")


def index_outbox_on_documents_changed(*, document_ids: Iterable[int], action: str, **_: Any) -> None:
    """Receiver of ``library.changes.documents_changed_signal`` (connected in ``apps.py``):
    one outbox row per document, in the sender's transaction."""
    IndexOutbox.objects.bulk_create((IndexOutbox(document_id=pk, action=action) for pk in document_ids), batch_size=1000)


SEARCH_LOG_DAYS = 90
QUERY_MAX = 100


def normalise_query(raw: str) -> str:
    """What the log keeps of a query: NFKC (full-width to half-width), lower case, runs of
    spaces as one, at most QUERY_MAX characters."""
    text = " ".join(unicodedata.normalize("NFKC", raw or "").lower().split())
    return text[:QUERY_MAX].strip()


def search_log(*, query: str, total: int) -> None:
    """Count one search of ``query`` that found ``total`` documents: one upsert into today's row
    (a conflict adds 1).  Failures are logged and swallowed: a search never fails for its log."""
    text = normalise_query(query)
    if not text:
        return
    table = SearchQueryDay._meta.db_table
    zero = 1 if total == 0 else 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, query, searches, zero_results, last_total) VALUES (%s, %s, 1, %s, %s)"  # noqa: S608
                " ON CONFLICT (day, query) DO UPDATE SET searches = {t}.searches + 1,"
                " zero_results = {t}.zero_results + excluded.zero_results, last_total = excluded.last_total".format(t=table),
                [timezone.localdate(), text, zero, max(0, min(int(total), 2**31 - 1))],
            )
    except DatabaseError:
        log.exception("search log write failed")


def search_log_prune(*, days: int = SEARCH_LOG_DAYS) -> int:
    """Delete the log's days older than ``days`` (the worker, hourly)."""
    cutoff = timezone.localdate() - timedelta(days=days)
    deleted, _ = SearchQueryDay.objects.filter(day__lt=cutoff).delete()
    return deleted
