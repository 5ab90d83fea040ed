"""Sales, refunds and net earnings per day come from commerce's ledger, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from fanwen.commerce.models import LedgerTransaction
from fanwen.commerce.services import order_create, order_pay_with_wallet, order_refund, wallet_credit
from fanwen.stats.models import AuthorDay, DocumentDay, DocumentMonth, RollupState
from fanwen.stats.services import stats_rollup
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def sell(doc):  # type: ignore[no-untyped-def]
    reader = make_user()
    wallet_credit(user=reader, amount_fen=doc.price_fen, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    return order


def refund(order):  # type: ignore[no-untyped-def]
    order_refund(order_id=order.pk, actor=make_user(is_staff=True))


def move_to(order, day_offset: int, kind_prefix: str) -> None:  # type: ignore[no-untyped-def]
    """Date an order's ledger transactions of one kind back by ``day_offset`` days."""
    when = timezone.now() - timedelta(days=day_offset)
    LedgerTransaction.objects.filter(order=order, kind__startswith=kind_prefix).update(created_at=when)


def day_row(doc, offset: int = 0) -> dict:  # type: ignore[no-untyped-def,type-arg]
    day = timezone.localdate() - timedelta(days=offset)
    row = DocumentDay.objects.filter(document=doc, day=day).values(
        "sales", "sales_fen", "refunds", "refunds_fen", "net_fen").first()
    return row or {}


def test_sales_refunds_and_net_per_day_match_the_orders(settings):
    settings.FANWEN_AUTHOR_SHARE_PERCENT = 70
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    other = make_document(price_fen=333, author=author)
    first, second = sell(doc), sell(doc)
    sell(other)
    refund(second)

    stats_rollup()

    assert day_row(doc) == {"sales": 2, "sales_fen": 2000, "refunds": 1, "refunds_fen": 1000, "net_fen": 700}
    assert day_row(other) == {"sales": 1, "sales_fen": 333, "refunds": 0, "refunds_fen": 0, "net_fen": 233}
    total = AuthorDay.objects.get(author=author, day=timezone.localdate())
    assert (total.sales, total.refunds, total.net_fen) == (3, 1, 933)
    month = DocumentMonth.objects.get(document=doc)
    assert (month.sales, month.net_fen) == (2, 700)
    assert first.pk != second.pk


def test_a_rerun_never_counts_twice():
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    sell(doc)
    stats_rollup()
    stats_rollup()
    call_command("stats", "rollup")
    assert day_row(doc)["sales"] == 1
    assert day_row(doc)["net_fen"] == 700

    sell(doc)  # a new sale after the mark is added once
    stats_rollup()
    stats_rollup()
    assert day_row(doc)["sales"] == 2


def test_a_refund_on_a_later_day_counts_on_that_day():
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    order = sell(doc)
    move_to(order, 3, "order.paid")  # sold three days ago …
    refund(order)  # … refunded today

    stats_rollup()

    assert day_row(doc, 3) == {"sales": 1, "sales_fen": 1000, "refunds": 0, "refunds_fen": 0, "net_fen": 700}
    assert day_row(doc, 0) == {"sales": 0, "sales_fen": 0, "refunds": 1, "refunds_fen": 1000, "net_fen": -700}


def test_a_transaction_committed_late_below_the_mark_is_still_counted_once():
    """PostgreSQL may make a lower id visible after a higher one: recent ids are re-read."""
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    sell(doc)
    sell(doc)
    stats_rollup()
    late = LedgerTransaction.objects.filter(kind="order.paid").order_by("pk").first()
    assert late is not None
    # Pretend the first sale was not visible at the last run: drop its mark and its counts.
    from fanwen.stats.models import RolledUpTransaction

    RolledUpTransaction.objects.filter(transaction_id=late.pk).delete()
    DocumentDay.objects.filter(document=doc).update(sales=1, sales_fen=1000, net_fen=700)
    assert RollupState.objects.get().last_transaction_id > late.pk

    stats_rollup()
    stats_rollup()

    assert day_row(doc)["sales"] == 2


def test_orders_for_plans_top_ups_and_authorless_documents_are_not_counted():
    author = make_user()
    doc = make_document(price_fen=800, author=author)
    orphan = make_document(price_fen=800, author=None)
    sell(orphan)
    sell(doc)
    stats_rollup()
    assert DocumentDay.objects.count() == 1
    assert AuthorDay.objects.get(author=author).sales == 1
