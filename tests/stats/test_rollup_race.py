"""Rollups running at once (the worker and `fanwen stats rollup`) never count a sale twice;
on SQLite and, with DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fanwen.stats.models import AuthorDay
from fanwen.stats.services import stats_rollup
from tests.commerce.factories import make_document, make_user
from tests.commerce.racing import race
from tests.stats.test_rollup import refund, sell


@pytest.mark.django_db(transaction=True)
def test_parallel_rollups_count_each_transaction_once():
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    orders = [sell(doc) for _ in range(12)]
    refund(orders[0])

    answers = race(4, lambda i: str(stats_rollup(batch=3)))

    assert sum(int(a) for a in answers.elements()) >= 13  # every transaction read by someone
    row = AuthorDay.objects.get(author=author, day=timezone.localdate())
    assert (row.sales, row.refunds, row.net_fen) == (12, 1, 11 * 700)
