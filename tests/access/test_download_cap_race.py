"""The daily download cap holds when a reader's downloads race: exactly the cap is delivered
(count and insert in one transaction under the reader's row lock; IMMEDIATE on SQLite)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from fanwen.access.delivery import deliver
from fanwen.access.errors import AccessError
from fanwen.access.models import Delivery
from tests.commerce.factories import make_document, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]


def test_racing_downloads_take_exactly_the_daily_cap(settings):
    settings.FANWEN_DOWNLOADS_PER_DAY = 3
    author = make_user()
    doc = make_document(price_fen=500, author=author)
    threads = 8
    barrier = threading.Barrier(threads)

    def work(_: int) -> str:
        try:
            barrier.wait(timeout=30)
            deliver(user=author, document=doc, fmt="docx")
            return "delivered"
        except AccessError as exc:
            return type(exc).__name__
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = Counter(pool.map(work, range(threads)))
    assert results == {"delivered": 3, "DownloadLimitReached": 5}, results
    assert Delivery.objects.filter(user=author).count() == 3
