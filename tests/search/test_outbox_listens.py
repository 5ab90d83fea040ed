"""The library tells of document changes without importing search (``library.changes``);
search's outbox writer listens, inside the changing transaction, and a change nobody
records is refused rather than lost."""

from __future__ import annotations

import pytest
from django.db import transaction

from fanwen.library import changes
from fanwen.search.models import IndexOutbox
from fanwen.search.services import index_outbox_on_documents_changed

pytestmark = pytest.mark.django_db


def test_the_actions_are_the_outbox_actions():
    assert {changes.UPSERT, changes.DELETE} == set(IndexOutbox.Action.values)


def test_a_change_writes_outbox_rows_in_the_same_transaction():
    changes.documents_changed(document_ids=iter([7, 8]), action=changes.DELETE)
    assert sorted(IndexOutbox.objects.values_list("document_id", "action")) == [(7, "delete"), (8, "delete")]

    with pytest.raises(RuntimeError), transaction.atomic():
        changes.document_changed(document_id=9)
        raise RuntimeError("the change fails")
    assert not IndexOutbox.objects.filter(document_id=9).exists()


def test_a_change_nobody_records_is_refused():
    signal = changes.documents_changed_signal
    signal.disconnect(index_outbox_on_documents_changed, dispatch_uid="search.index_outbox")
    try:
        with pytest.raises(RuntimeError, match="search"):
            changes.document_changed(document_id=1)
    finally:
        signal.connect(index_outbox_on_documents_changed, dispatch_uid="search.index_outbox")
    assert signal.has_listeners()
