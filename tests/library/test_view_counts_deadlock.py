"""Two processes flushing read counts for the same documents in different orders must not
deadlock (found by `make test-cluster`: 500s on /d/N/ with two hosts, eight web workers, on
PostgreSQL — "deadlock detected while updating tuple in library_document").  Each flush takes
its row locks in document-id order, so one waits for the other instead."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connection, connections

from fanwen.library import view_counts
from fanwen.library.changes import documents_changed_extra_signal
from fanwen.library.models import Document
from tests.commerce.factories import make_document, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]


def test_flushes_in_opposite_orders_do_not_deadlock():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite takes one lock for the whole database)")
    author = make_user()
    a, b = make_document(price_fen=300, author=author), make_document(price_fen=300, author=author)
    # Each flush pauses after its first row until the other has taken its first row too (or
    # could not, because it waits for that same row: then the pause ends after 3 s).
    both_hold_a_row = threading.Barrier(2)
    first = threading.local()

    def pause_after_first_row(sender, **kwargs):
        if not getattr(first, "done", False):
            first.done = True
            try:
                both_hold_a_row.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass

    def flush(order: list[int]) -> str:
        try:
            view_counts._write({pk: [1, 0, 0] for pk in order})
            return "ok"
        except DatabaseError as exc:
            return type(exc).__name__ + ": " + str(exc).splitlines()[0]
        finally:
            connections.close_all()

    documents_changed_extra_signal.connect(pause_after_first_row, dispatch_uid="test-deadlock")
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(flush, [[a.pk, b.pk], [b.pk, a.pk]]))
    finally:
        documents_changed_extra_signal.disconnect(dispatch_uid="test-deadlock")
    assert results == ["ok", "ok"], results
    assert sorted(Document.objects.filter(pk__in=[a.pk, b.pk]).values_list("views", flat=True)) == [2, 2]
