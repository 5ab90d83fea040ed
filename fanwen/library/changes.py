"""Changes to documents that the rest of the site must hear about (today: the search index),
told without the library importing who listens.

Library services call :func:`document_changed` / :func:`documents_changed` inside the
transaction that changed the documents; the search app connects its outbox writer when it
starts (``search/apps.py``), so the outbox row commits or rolls back with the change.  Fail
closed: a change nobody is listening for raises instead of leaving the index silently stale."""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

UPSERT = "upsert"  # index (or re-index) the document as it now is
DELETE = "delete"  # the document left the public catalogue or the database

#: sent with ``document_ids`` (an iterable of ids) and ``action`` (UPSERT or DELETE)
documents_changed_signal = Signal()
#: the same, for listeners that are not required (moderation's near-duplicate index); connecting here
#: leaves the fail-closed check above about the search index alone
documents_changed_extra_signal = Signal()


def documents_changed(*, document_ids: Iterable[int], action: str = UPSERT) -> None:
    if not documents_changed_signal.has_listeners():
        raise RuntimeError("nothing records document changes: is fanwen.search installed?")
    document_ids = list(document_ids)
    documents_changed_signal.send(sender=None, document_ids=document_ids, action=action)
    documents_changed_extra_signal.send(sender=None, document_ids=document_ids, action=action)


def document_changed(*, document_id: int, action: str = UPSERT) -> None:
    documents_changed(document_ids=[document_id], action=action)


def documents_counts_changed(*, document_ids: Iterable[int]) -> None:
    """Only counters changed (read counts): the search index re-reads the documents, but the
    listeners to the text (moderation's near-duplicate signatures) have nothing to redo."""
    if not documents_changed_signal.has_listeners():
        raise RuntimeError("nothing records document changes: is fanwen.search installed?")
    documents_changed_signal.send(sender=None, document_ids=list(document_ids), action=UPSERT)
