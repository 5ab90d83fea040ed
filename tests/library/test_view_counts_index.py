"""No write amplification (issue #13): flushing read counts writes no search outbox row and
touches no near-duplicate signature; the worker's ``views_reindex_due`` gives the index each
document's new count at most once per ``FANWEN_VIEWS_REINDEX_SECONDS``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from fanwen.library import view_counts
from fanwen.library.models import Document
from fanwen.search.indexer import index_sync
from fanwen.search.models import IndexOutbox
from fanwen.search.selectors import search_documents
from tests.commerce.factories import make_document

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.at = timezone.now()

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(view_counts.timezone, "now", fake.now)
    return fake


def _read_all(docs: list[Document], times: int = 1) -> None:
    for doc in docs:
        for _ in range(times):
            view_counts.document_count_view(document_id=doc.pk)
    view_counts.flush()


def test_flushing_the_counts_of_100_documents_writes_no_outbox_row():
    docs = [make_document() for _ in range(100)]
    IndexOutbox.objects.all().delete()

    _read_all(docs, times=3)

    assert IndexOutbox.objects.count() == 0
    assert set(Document.objects.values_list("views", flat=True)) == {3}
    assert Document.objects.filter(views_unindexed_since__isnull=False).count() == 100


def test_a_flush_leaves_the_near_duplicate_signatures_alone():
    from fanwen.moderation.models import Signature
    from fanwen.moderation.services import dupes_check_pending

    docs = [make_document() for _ in range(5)]
    dupes_check_pending()
    signed = Signature.objects.filter(document__in=docs).count()
    assert signed == 5

    _read_all(docs)
    view_counts.views_reindex_due()

    assert Signature.objects.filter(document__in=docs).count() == signed


def test_each_document_is_reindexed_at_most_once_per_interval_however_often_counts_flush(settings, clock):
    settings.FANWEN_VIEWS_REINDEX_SECONDS = 300
    docs = [make_document() for _ in range(100)]
    IndexOutbox.objects.all().delete()

    handed = 0
    for tick in range(60):  # ten minutes of flushes every 10 s, the worker's job every minute
        _read_all(docs)
        if tick % 6 == 5:
            handed += view_counts.views_reindex_due()
        clock.at += timedelta(seconds=10)

    per_doc = {doc.pk: IndexOutbox.objects.filter(document_id=doc.pk).count() for doc in docs}
    assert handed == IndexOutbox.objects.count()
    assert set(per_doc.values()) <= {1, 2}, per_doc  # 600 s / 300 s: never more than twice
    assert min(per_doc.values()) >= 1  # and every read document does get its count indexed
    assert IndexOutbox.objects.exclude(action="upsert").count() == 0


def test_not_due_yet_and_twice_in_a_row_hand_over_nothing(settings, clock):
    settings.FANWEN_VIEWS_REINDEX_SECONDS = 300
    docs = [make_document() for _ in range(3)]
    IndexOutbox.objects.all().delete()
    _read_all(docs)

    assert view_counts.views_reindex_due() == 0
    clock.at += timedelta(seconds=301)
    assert view_counts.views_reindex_due() == 3
    assert view_counts.views_reindex_due() == 0
    assert IndexOutbox.objects.count() == 3
    assert Document.objects.filter(views_unindexed_since__isnull=False).count() == 0


def test_the_index_sorts_by_the_new_counts_once_they_are_handed_over(settings):
    settings.FANWEN_VIEWS_REINDEX_SECONDS = 0
    quiet, busy = make_document(title="排序甲文档"), make_document(title="排序乙文档")
    index_sync()  # builds the index
    index_sync()  # applies the imports' recent outbox rows once more (the indexer's late-commit window)
    for _ in range(5):
        view_counts.document_count_view(document_id=busy.pk)
    view_counts.document_count_view(document_id=quiet.pk)
    view_counts.flush()
    index_sync()
    before = [h.views for h in search_documents("排序", sort="views").results]
    assert before == [0, 0]  # flushed, not yet handed to the index

    assert view_counts.views_reindex_due() == 2
    index_sync()

    hits = search_documents("排序", sort="views").results
    assert [(h.id, h.views) for h in hits] == [(busy.pk, 5), (quiet.pk, 1)]
