"""Earnings states: a sale's author share is pending for the holding period, then available;
refunds come out of wherever the share is; available may go negative and later sales settle it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.commerce.models import LedgerTransaction
from fanwen.commerce.services import ledger_check
from fanwen.commerce.services.earnings import RELEASE, earnings_release_due, earnings_release_order
from fanwen.commerce.services.ledger import ledger_post
from tests.commerce.factories import make_document, make_user
from tests.payouts.helpers import balances, later, refund, sell

pytestmark = pytest.mark.django_db


def test_a_sale_is_pending_for_the_holding_period_then_available():
    author = make_user()
    sell(make_document(price_fen=1000, author=author))
    assert balances(author) == (700, 0)

    assert earnings_release_due(now=timezone.now() + timedelta(days=6, hours=23)) == 0
    assert balances(author) == (700, 0)
    assert earnings_release_due(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert balances(author) == (0, 700)
    assert ledger_check() == []


def test_a_sale_inside_its_holding_period_is_not_released_even_when_asked():
    author = make_user()
    order = sell(make_document(price_fen=1000, author=author))
    assert earnings_release_order(order_id=order.pk) is False
    assert balances(author) == (700, 0)
    assert earnings_release_order(order_id=order.pk, now=later()) is True


def test_the_holding_period_is_a_setting(settings):
    settings.FANWEN_PAYOUT_HOLD_DAYS = 2
    author = make_user()
    sell(make_document(price_fen=1000, author=author))
    assert earnings_release_due(now=timezone.now() + timedelta(days=2, minutes=1)) == 1
    assert balances(author) == (0, 700)


def test_with_no_holding_period_a_sale_is_available_at_once(settings):
    settings.FANWEN_PAYOUT_HOLD_DAYS = 0
    author = make_user()
    order = sell(make_document(price_fen=1000, author=author))
    assert balances(author) == (0, 700)
    assert LedgerTransaction.objects.filter(order=order, kind=RELEASE).count() == 1
    assert earnings_release_due() == 0
    assert ledger_check() == []


def test_release_is_idempotent_and_the_database_refuses_a_second_release():
    author = make_user()
    order = sell(make_document(price_fen=1000, author=author))
    assert earnings_release_due(now=later()) == 1
    assert earnings_release_due(now=later()) == 0
    assert earnings_release_order(order_id=order.pk, now=later()) is False
    call_command("payouts", "release")
    assert balances(author) == (0, 700)
    assert LedgerTransaction.objects.filter(order=order, kind=RELEASE).count() == 1

    with pytest.raises(IntegrityError), transaction.atomic():  # the constraint itself, bypassing the service
        LedgerTransaction.objects.create(kind=RELEASE, order=order)


def test_a_refund_inside_the_holding_period_comes_out_of_pending():
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    sell(doc)
    order = sell(doc)
    refund(order)
    assert balances(author) == (700, 0)
    assert earnings_release_due(now=later()) == 1  # the refunded sale is never released
    assert balances(author) == (0, 700)
    assert ledger_check() == []


def test_a_refund_after_the_holding_period_comes_out_of_available():
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    sell(doc)
    order = sell(doc)
    earnings_release_due(now=later())
    assert balances(author) == (0, 1400)
    refund(order)
    assert balances(author) == (0, 700)
    assert ledger_check() == []


def test_available_may_go_negative_and_is_settled_from_later_earnings(client, settings):
    settings.FANWEN_PAYOUT_MIN_FEN = 100
    author = make_user()
    doc = make_document(price_fen=1000, author=author)
    order = sell(doc)
    earnings_release_due(now=later())
    # the author withdraws everything; then the sale is refunded after the holding period
    from fanwen.payouts.services import payout_account_set, payout_request

    payout_account_set(user=author, method="alipay", real_name="张三", alipay_login="13800138000")
    payout_request(user=author, amount_fen=700)
    refund(order)
    assert balances(author) == (0, -700)

    client.force_login(author)
    html = client.get("/me/payouts/").content.decode()
    assert "余额为负，将从后续收入中抵扣" in html

    sell(doc)
    sell(doc)
    assert balances(author) == (1400, -700)  # pending is not touched by the debt
    earnings_release_due(now=later())
    assert balances(author) == (0, 700)  # the releases settled the debt first
    assert ledger_check() == []


def test_sales_posted_before_earnings_states_count_as_available_and_refund_from_there():
    """The migration rewrites nothing: an old sale credited author:<id> directly."""
    from fanwen.commerce.services import ledger

    author = make_user()
    order = sell(make_document(price_fen=1000, author=author))
    pending, available = ledger.author_pending_account(author.pk), ledger.author_account(author.pk)
    # Make this sale look like one posted before the change: its share went straight to author:<id>.
    from fanwen.commerce.models import LedgerEntry

    tx = LedgerTransaction.objects.get(order=order, kind="order.paid")
    LedgerEntry.objects.filter(transaction=tx, account=pending).update(account=available)
    type(pending).objects.filter(pk=pending.pk).update(balance_fen=0)
    type(available).objects.filter(pk=available.pk).update(balance_fen=700)
    assert ledger_check() == []

    assert earnings_release_due(now=later()) == 0  # nothing pending to release
    refund(order)
    assert balances(author) == (0, 0)
    assert ledger_check() == []


def test_ledger_check_catches_negative_pending_earnings():
    from fanwen.commerce.services import ledger

    author = make_user()
    with transaction.atomic():
        ledger_post(kind="tamper", movements=[(ledger.author_pending_account(author.pk), -5),
                                              (ledger.author_account(author.pk), 5)])
    assert any("pending earnings" in p.what for p in ledger_check())


def test_the_worker_releases_matured_earnings(settings, monkeypatch):
    monkeypatch.setattr("fanwen.search.management.commands.worker.close_old_connections", lambda: None)
    author = make_user()
    sell(make_document(price_fen=1000, author=author))
    assert balances(author) == (700, 0)
    settings.FANWEN_PAYOUT_HOLD_DAYS = 0  # now the sale is past its (shorter) holding period
    call_command("worker", "--once")
    assert balances(author) == (0, 700)
