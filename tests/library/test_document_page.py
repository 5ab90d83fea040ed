from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from fanwen.commerce.services import entitlement_grant
from fanwen.library import services, view_counts
from fanwen.library.models import Document

pytestmark = pytest.mark.django_db

PAID_SENTENCE = "三是要坚持学以致用"  # the first paid block of example 000


@pytest.fixture
def doc(examples_dir) -> Document:
    call_command("loadexamples", "--dir", str(examples_dir))
    return Document.objects.order_by("id").first()


def test_anonymous_page_shows_free_part_and_paywall_card(client, doc):
    body = client.get(f"/d/{doc.pk}/").content.decode()
    assert "一、牢固树立终身学习理念" in body
    assert "剩余 1382 字 · 10 个章节 · ¥5.00 解锁全文" in body
    assert PAID_SENTENCE not in body
    assert "isAccessibleForFree" in body and '"cssSelector": ".paid-part"' in body


def test_outline_lists_only_free_headings_with_hidden_count(client, doc):
    body = client.get(f"/d/{doc.pk}/").content.decode()
    assert "二、锻炼提升改革创新能力" not in body
    assert "另有 10 个章节、1382 字在付费部分" in body


def test_granted_reader_sees_everything_and_no_paywall(client, doc):
    user = get_user_model().objects.create_user("g", password="g-pass-12345")
    entitlement_grant(user_id=user.pk, document_id=doc.pk)
    client.force_login(user)
    body = client.get(f"/d/{doc.pk}/").content.decode()
    assert PAID_SENTENCE in body and "二、锻炼提升改革创新能力" in body
    assert 'id="paywall"' not in body


def test_anonymous_cache_never_serves_an_entitled_page(client, doc, django_assert_num_queries):
    user = get_user_model().objects.create_user("g", password="g-pass-12345")
    entitlement_grant(user_id=user.pk, document_id=doc.pk)
    client.force_login(user)
    assert PAID_SENTENCE in client.get(f"/d/{doc.pk}/").content.decode()
    client.logout()
    first = client.get(f"/d/{doc.pk}/").content.decode()
    with django_assert_num_queries(0):
        second = client.get(f"/d/{doc.pk}/").content.decode()  # from the anonymous page cache
    assert first == second and PAID_SENTENCE not in second
    client.force_login(user)
    assert PAID_SENTENCE in client.get(f"/d/{doc.pk}/").content.decode()


def test_unpublished_document_disappears_at_once_despite_cache(client, doc):
    assert client.get(f"/d/{doc.pk}/").status_code == 200
    services.document_set_status(document_id=doc.pk, status=Document.Status.UNPUBLISHED)
    assert client.get(f"/d/{doc.pk}/").status_code == 404


def test_views_are_counted_in_batches(client, doc, monkeypatch):
    monkeypatch.setattr(view_counts, "VIEW_FLUSH_EVERY", 10)
    for _ in range(25):
        client.get(f"/d/{doc.pk}/")
    doc.refresh_from_db()
    assert doc.views == 20  # flushed every 10 reads; 5 still pending in this process


def test_home_and_category_lists_have_bounded_queries(client, doc, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/")
    with django_assert_max_num_queries(6):  # +1: the rating tally of the whole list (community, one query)
        client.get(f"/c/{doc.category.slug}/")
