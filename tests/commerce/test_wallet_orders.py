"""Orders and wallet payments, as a reader experiences them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from fanwen.access import gate
from fanwen.access import selectors as access_selectors
from fanwen.commerce import selectors
from fanwen.commerce.models import AuditLog, LedgerTransaction, Order, Payment
from fanwen.commerce.services import ledger_check, order_create, order_pay_with_wallet, wallet_credit
from fanwen.commerce.services.errors import (
    AlreadyOwned,
    AlreadyPaid,
    IdempotencyConflict,
    InsufficientBalance,
    NotPayable,
)
from fanwen.commerce.services.fulfilment import author_share_fen
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def test_wallet_purchase_grants_the_document_and_splits_the_money():
    author = make_user("author")
    reader = make_user("reader")
    doc = make_document(price_fen=999, author=author)
    wallet_credit(user=reader, amount_fen=2000, reason="新人礼")
    order = order_create(user=reader, document_id=doc.pk)
    assert not gate.can_read_full(reader, doc)

    order_pay_with_wallet(order_id=order.pk, user=reader)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert gate.can_read_full(reader, doc)
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 1001
    share = author_share_fen(999)
    assert share == 699  # 70% of 9.99, rounded down to the fen
    from fanwen.commerce.models import Account

    assert Account.objects.get(code=f"author:{author.pk}:pending").balance_fen == 699
    from fanwen.commerce.services.ledger import family_balance_fen, shard_count

    # The platform's cut is in the order's revenue shard; the family sums to it.
    assert Account.objects.get(code=f"revenue:platform:{order.pk % shard_count()}").balance_fen == 300
    assert family_balance_fen("revenue:platform") == 300
    assert ledger_check() == []
    assert AuditLog.objects.filter(action="commerce.order.paid", order=order).count() == 1


def test_short_balance_is_refused_and_changes_nothing():
    reader = make_user()
    order = order_create(user=reader, document_id=make_document(price_fen=500).pk)
    wallet_credit(user=reader, amount_fen=499, reason="x")
    with pytest.raises(InsufficientBalance) as info:
        order_pay_with_wallet(order_id=order.pk, user=reader)
    assert info.value.status == 402 and "余额不足" in info.value.message
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 499
    assert Payment.objects.count() == 0
    assert LedgerTransaction.objects.filter(kind="order.paid").count() == 0


def test_paying_twice_is_409_and_charges_once():
    reader = make_user()
    order = order_create(user=reader, document_id=make_document(price_fen=100).pk)
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    order_pay_with_wallet(order_id=order.pk, user=reader)
    with pytest.raises(AlreadyPaid):
        order_pay_with_wallet(order_id=order.pk, user=reader)
    assert selectors.wallet_balance_fen(user_id=reader.pk) == 900


def test_expired_order_cannot_be_paid_and_is_marked_by_the_tick():
    reader = make_user()
    order = order_create(user=reader, document_id=make_document().pk)
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    wallet_credit(user=reader, amount_fen=1000, reason="x")
    with pytest.raises(NotPayable):
        order_pay_with_wallet(order_id=order.pk, user=reader)
    call_command("commerce_tick")
    assert Order.objects.get(pk=order.pk).status == Order.Status.EXPIRED


def test_idempotency_key_returns_the_same_order_and_refuses_reuse():
    reader = make_user()
    doc, other = make_document(), make_document()
    first = order_create(user=reader, document_id=doc.pk, idempotency_key="abc")
    again = order_create(user=reader, document_id=doc.pk, idempotency_key="abc")
    assert first.pk == again.pk
    with pytest.raises(IdempotencyConflict):
        order_create(user=reader, document_id=other.pk, idempotency_key="abc")
    someone_else = order_create(user=make_user(), document_id=doc.pk, idempotency_key="abc")
    assert someone_else.pk != first.pk


def test_cannot_buy_what_you_can_already_read():
    author = make_user()
    doc = make_document(author=author)
    with pytest.raises(AlreadyOwned):
        order_create(user=author, document_id=doc.pk)


def test_membership_opens_every_paid_document_and_renewal_extends():
    from fanwen.access.models import MembershipPeriod
    from fanwen.commerce.models import Plan
    from fanwen.commerce.services.fulfilment import membership_extend

    reader = make_user()
    docs = [make_document(), make_document()]
    wallet_credit(user=reader, amount_fen=10000, reason="x")
    order = order_create(user=reader, plan_code="month")
    order_pay_with_wallet(order_id=order.pk, user=reader)
    assert all(gate.can_read_full(reader, d) for d in docs)
    until = access_selectors.membership_active_until(user_id=reader.pk)
    assert until is not None and timedelta(days=29) < until - timezone.now() <= timedelta(days=30)
    renewal = order_create(user=reader, plan_code="month")
    order_pay_with_wallet(order_id=renewal.pk, user=reader)
    extended = access_selectors.membership_active_until(user_id=reader.pk)
    days = timedelta(days=Plan.objects.get(code="month").days)
    assert extended - until == days
    first, second = MembershipPeriod.objects.filter(user=reader).order_by("starts_at")
    assert (first.order_id, second.order_id) == (order.pk, renewal.pk)
    assert second.starts_at == first.ends_at == until and second.ends_at == extended
    # Called directly, a renewal again starts where the latest period ends, for the plan's days.
    third = order_create(user=reader, plan_code="month")
    period = membership_extend(order=third)
    assert (period.order_id, period.starts_at, period.ends_at) == (third.pk, extended, extended + days)
    assert ledger_check() == []


def test_credit_command_and_ledger_check_command(capsys):
    make_user("zoe")
    call_command("credit", "zoe", "12.34", "--reason", "补偿")
    assert "12.34" in capsys.readouterr().out
    call_command("ledger", "check")
    assert "ledger ok" in capsys.readouterr().out


def test_ledger_check_fails_on_a_tampered_balance(capsys):
    from fanwen.commerce.models import Account

    reader = make_user()
    wallet_credit(user=reader, amount_fen=500, reason="x")
    Account.objects.filter(code=f"wallet:{reader.pk}").update(balance_fen=600)
    with pytest.raises(SystemExit) as info:
        call_command("ledger", "check")
    assert info.value.code == 1
    assert "stored 600, entries sum to 500" in capsys.readouterr().err


def test_audit_log_is_append_only():
    reader = make_user()
    wallet_credit(user=reader, amount_fen=500, reason="x")
    row = AuditLog.objects.first()
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()
