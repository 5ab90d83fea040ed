"""30 parallel payout requests for more than is available never overdraw — on SQLite
(IMMEDIATE transactions) and on PostgreSQL (row locks), whichever DATABASE_URL names."""

from __future__ import annotations

import pytest
from django.db import connection

from fanwen.commerce.services import ledger_check
from fanwen.payouts.models import Payout
from fanwen.payouts.services import payout_reject, payout_request
from tests.commerce.factories import make_user
from tests.commerce.racing import race
from tests.payouts.helpers import author_with_available, balances

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("concurrency")]
N = 30


def test_30_parallel_requests_for_more_than_is_available_never_overdraw():
    author = author_with_available(10_000, sales=1)  # ¥70.00 available
    assert balances(author) == (0, 7000)

    results = race(N, lambda i: (payout_request(user=author, amount_fen=1000), "requested")[1])

    assert results["requested"] == 7, results  # 7 × ¥10 = ¥70, not a fen more
    assert results["requested"] + results["InsufficientBalance"] + results["Busy"] == N, results
    assert balances(author) == (0, 0)
    assert sum(Payout.objects.filter(user=author).values_list("amount_fen", flat=True)) == 7000
    assert ledger_check() == []
    assert connection.vendor in ("sqlite", "postgresql")


def test_parallel_requests_of_different_sizes_and_a_reject_keep_the_books_exact():
    author = author_with_available(5_000, sales=2)  # ¥70.00 available
    first = payout_request(user=author, amount_fen=2500)
    staff = make_user(is_staff=True)

    def work(i: int) -> str:
        if i == 0:
            payout_reject(payout_id=first.pk, actor=staff, reason="测试驳回")
            return "rejected"
        payout_request(user=author, amount_fen=1000 + 137 * i)
        return "requested"

    results = race(N, work)

    in_flight = sum(Payout.objects.filter(user=author, status="requested").values_list("amount_fen", flat=True))
    assert results["rejected"] == 1, results
    assert balances(author)[1] == 7000 - in_flight >= 0
    assert ledger_check() == []


def test_parallel_release_runs_release_each_sale_once():
    from fanwen.commerce.models import LedgerTransaction
    from fanwen.commerce.services.earnings import RELEASE, earnings_release_due
    from tests.commerce.factories import make_document
    from tests.payouts.helpers import later, sell

    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    orders = [sell(doc) for _ in range(5)]

    results = race(10, lambda i: str(earnings_release_due(now=later())))

    assert sum(int(k) * v for k, v in results.items() if k.isdigit()) == 5, results
    assert balances(author) == (0, 3500)
    assert LedgerTransaction.objects.filter(kind=RELEASE, order__in=orders).count() == 5
    assert ledger_check() == []


def test_a_refund_racing_the_release_takes_the_share_from_wherever_it_went():
    from fanwen.commerce.services.earnings import earnings_release_order
    from tests.commerce.factories import make_document
    from tests.payouts.helpers import later, refund, sell

    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    orders = [sell(doc) for _ in range(6)]

    def work(i: int) -> str:
        order = orders[i // 2]
        if i % 2:
            refund(order)
            return "refunded"
        return "released" if earnings_release_order(order_id=order.pk, now=later()) else "not released"

    results = race(12, work)

    assert results["refunded"] == 6, results
    assert balances(author) == (0, 0)  # every share taken back, from pending or from available
    assert ledger_check() == []
