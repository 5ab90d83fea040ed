"""Reads and paywall views reach today's row in batches, also when the page came from the
anonymous page cache; no row is written per request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fanwen.access.services import entitlement_grant
from fanwen.library import view_counts
from fanwen.stats.models import AuthorDay, DocumentDay
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def today(doc) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    row = DocumentDay.objects.filter(document=doc, day=timezone.localdate()).first()
    return (row.reads, row.paywall_views) if row else (0, 0)


def test_anonymous_reads_count_as_paywall_views_also_from_the_page_cache(client):
    doc = make_document(price_fen=500, author=make_user())
    for _ in range(3):  # the first renders and caches the page, the others are cache hits
        assert client.get(f"/d/{doc.pk}/").status_code == 200
    assert today(doc) == (0, 0)  # tallied, not written yet

    view_counts.flush()

    assert today(doc) == (3, 3)
    assert AuthorDay.objects.get(author=doc.author).reads == 3


def test_readers_who_may_read_everything_add_reads_but_no_paywall_views(client):
    author = make_user()
    doc = make_document(price_fen=500, author=author)
    buyer, stranger = make_user(), make_user()
    entitlement_grant(user_id=buyer.pk, document_id=doc.pk)
    for user in (buyer, author, stranger):
        client.force_login(user)
        client.get(f"/d/{doc.pk}/")
    view_counts.flush()
    assert today(doc) == (3, 1)


def test_a_free_document_has_no_paywall_views_even_from_the_cache(client):
    from fanwen.core.format import parse_text
    from fanwen.library.models import Document
    from fanwen.library.services import document_import

    author = make_user()
    result = document_import(parsed=parse_text("免费文档\n全部免费的正文"), price_fen=0, author_id=author.pk)
    doc = Document.objects.get(pk=result.document_id)
    for _ in range(3):
        client.get(f"/d/{doc.pk}/")
    view_counts.flush()
    assert today(doc) == (3, 0)


def test_no_write_per_request_and_one_batch_per_flush(client):
    doc = make_document(price_fen=500, author=make_user())
    client.get(f"/d/{doc.pk}/")  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            client.get(f"/d/{doc.pk}/")
    assert not [q for q in queries if "stats_" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        view_counts.flush()
    upserts = [q for q in queries if q["sql"].startswith("INSERT INTO") and "stats_" in q["sql"]]
    assert len(upserts) == 4  # day, month, author, "author changed": one statement each for the whole batch
    assert today(doc) == (6, 6)


def test_counts_add_up_over_several_flushes():
    doc = make_document(price_fen=500, author=make_user())
    for paywall in (True, False, True):
        view_counts.document_count_view(document_id=doc.pk, paywall=paywall)
        view_counts.flush()
    assert today(doc) == (3, 2)


def test_a_document_without_an_author_is_not_counted():
    doc = make_document(price_fen=500, author=None)
    view_counts.document_count_view(document_id=doc.pk, paywall=True)
    view_counts.flush()
    assert DocumentDay.objects.count() == 0
