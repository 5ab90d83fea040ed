"""Payout accounts, requests and staff decisions: every step a balanced ledger transaction."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fanwen.audit.models import AuditEvent
from fanwen.commerce.models import Account, LedgerEntry
from fanwen.commerce.services import ledger_check
from fanwen.commerce.services.errors import InsufficientBalance
from fanwen.payouts import selectors
from fanwen.payouts.models import Payout
from fanwen.payouts.rules import AccountInvalid
from fanwen.payouts.services import (
    PayoutConflict,
    PayoutInvalid,
    payout_account_set,
    payout_approve_alipay,
    payout_mark_paid,
    payout_reject,
    payout_request,
)
from tests.commerce.factories import make_user
from tests.payouts.helpers import author_with_available, balances

pytestmark = pytest.mark.django_db


# ---- payout accounts ----------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "message"), [
    ({"method": "alipay", "real_name": "张三", "alipay_login": "12345"}, "支付宝账号应为 11 位手机号或邮箱地址"),
    ({"method": "alipay", "real_name": "", "alipay_login": "13800138000"}, "请填写真实姓名"),
    ({"method": "alipay", "real_name": "张<b>", "alipay_login": "13800138000"}, "真实姓名应为"),
    ({"method": "alipay", "real_name": "张\x00三", "alipay_login": "13800138000"}, "非法字符"),
    ({"method": "bank", "real_name": "张三", "bank_name": "中国工商银行", "bank_account_no": "6222abc"}, "银行卡号应为 12–30 位数字"),
    ({"method": "bank", "real_name": "张三", "bank_name": "", "bank_account_no": "622200001234567"}, "开户银行"),
    ({"method": "wechat", "real_name": "张三"}, "请选择收款方式"),
])
def test_a_bad_payout_account_is_refused_in_chinese(fields, message):
    with pytest.raises(AccountInvalid) as caught:
        payout_account_set(user=make_user(), **fields)
    assert message in caught.value.message


def test_a_payout_account_is_cleaned_and_kept_and_audited():
    author = make_user()
    payout_account_set(user=author, method="alipay", real_name=" 阿依古丽・买买提 ", alipay_login="Zhang.San@Example.COM")
    account = payout_account_set(user=author, method="bank", real_name="张三", bank_name="中国建设银行",
                                 bank_account_no="6217 0000 1111 2222 333")
    assert (account.method, account.bank_account_no, account.alipay_login) == ("bank", "6217000011112222333", "")
    assert selectors.account_shown(account)["identity"] == "****2333"
    events = AuditEvent.objects.filter(action="payouts.account.updated", actor_id=author.pk)
    assert events.count() == 2 and "6217000011112222333" not in str(list(events.values_list("data", flat=True)))


# ---- requests -----------------------------------------------------------------------------------


def test_a_request_moves_available_money_in_flight_as_one_balanced_transaction():
    author = author_with_available(2000)  # ¥14.00 available
    payout = payout_request(user=author, amount_fen=1000)
    assert balances(author) == (0, 400)
    assert Account.objects.get(code=f"payout:{payout.pk}").balance_fen == 1000
    entries = sorted(LedgerEntry.objects.filter(transaction=payout.request_tx).values_list("account__code", "amount_fen"))
    assert entries == [(f"author:{author.pk}", -1000), (f"payout:{payout.pk}", 1000)]
    assert selectors.earnings_summary(user_id=author.pk) == {
        "pending_fen": 0, "available_fen": 400, "in_flight_fen": 1000, "paid_out_fen": 0}
    assert AuditEvent.objects.filter(action="payouts.payout.requested", subject_id=str(payout.pk)).exists()
    assert ledger_check() == []


def test_the_minimum_and_the_available_balance_bound_a_request():
    author = author_with_available(2000)
    with pytest.raises(PayoutInvalid, match=r"单笔提现至少 ¥10\.00"):
        payout_request(user=author, amount_fen=999)
    with pytest.raises(InsufficientBalance, match="可提现余额不足"):
        payout_request(user=author, amount_fen=1401)
    payout_request(user=author, amount_fen=1400)  # all of it
    assert balances(author) == (0, 0)
    assert Payout.objects.count() == 1


def test_pending_money_cannot_be_withdrawn():
    from tests.commerce.factories import make_document
    from tests.payouts.helpers import sell

    author = make_user()
    sell(make_document(price_fen=5000, author=author))
    payout_account_set(user=author, method="alipay", real_name="张三", alipay_login="13800138000")
    with pytest.raises(InsufficientBalance):
        payout_request(user=author, amount_fen=1000)


def test_a_request_needs_a_payout_account():
    author = author_with_available(2000)
    from fanwen.payouts.models import PayoutAccount

    PayoutAccount.objects.filter(user=author).delete()
    with pytest.raises(PayoutInvalid, match="请先设置收款账户"):
        payout_request(user=author, amount_fen=1000)


# ---- staff decisions ----------------------------------------------------------------------------


def test_reject_returns_the_money_to_available_with_the_reason():
    author = author_with_available(2000)
    staff = make_user(is_staff=True)
    payout = payout_request(user=author, amount_fen=1200)
    with pytest.raises(PayoutInvalid, match="请填写驳回原因"):
        payout_reject(payout_id=payout.pk, actor=staff, reason="  ")
    payout = payout_reject(payout_id=payout.pk, actor=staff, reason="收款人姓名与实名不符")
    assert (payout.status, payout.reason) == ("rejected", "收款人姓名与实名不符")
    assert balances(author) == (0, 1400)
    assert Account.objects.get(code=f"payout:{payout.pk}").balance_fen == 0
    assert AuditEvent.objects.filter(action="payouts.payout.rejected", actor_id=staff.pk).exists()
    with pytest.raises(PayoutConflict):
        payout_reject(payout_id=payout.pk, actor=staff, reason="again")
    with pytest.raises(PayoutConflict):
        payout_mark_paid(payout_id=payout.pk, actor=staff, reference="X1")
    assert ledger_check() == []


def test_manual_payment_goes_out_to_the_manual_clearing_account_with_a_reference():
    author = author_with_available(2000, alipay=False)
    staff = make_user(is_staff=True)
    payout = payout_request(user=author, amount_fen=1000)
    with pytest.raises(PayoutInvalid, match="打款凭证号"):
        payout_mark_paid(payout_id=payout.pk, actor=staff, reference="")
    with pytest.raises(PayoutInvalid, match="银行卡"):
        _start_alipay(payout.pk, staff)
    payout = payout_mark_paid(payout_id=payout.pk, actor=staff, reference="ICBC20261130001")
    assert (payout.status, payout.reference, payout.paid_via) == ("paid", "ICBC20261130001", "manual")
    entries = sorted(LedgerEntry.objects.filter(transaction=payout.settle_tx).values_list("account__code", "amount_fen"))
    assert entries == [("clearing:manual:0", 1000), (f"payout:{payout.pk}", -1000)]  # payouts use shard 0
    assert selectors.earnings_summary(user_id=author.pk)["paid_out_fen"] == 1000
    assert AuditEvent.objects.filter(action="payouts.payout.paid", actor_id=staff.pk).exists()
    assert ledger_check() == []


def _start_alipay(payout_id: int, staff: object) -> None:
    from fanwen.payouts.services import _payout_start_alipay

    _payout_start_alipay(payout_id=payout_id, actor=staff)


def test_alipay_approval_without_alipay_configured_changes_nothing():
    author = author_with_available(2000)
    payout = payout_request(user=author, amount_fen=1000)
    with pytest.raises(PayoutConflict, match="未配置支付宝"):
        payout_approve_alipay(payout_id=payout.pk, actor=make_user(is_staff=True))
    assert Payout.objects.get(pk=payout.pk).status == "requested"


# ---- ledger check -------------------------------------------------------------------------------


def _problems() -> list[str]:
    return [p.what for p in ledger_check()]


def test_ledger_check_catches_a_paid_payout_without_its_outgoing_movement():
    author = author_with_available(2000, alipay=False)
    payout = payout_request(user=author, amount_fen=1000)
    assert _problems() == []
    from django.db import IntegrityError, transaction

    from fanwen.commerce.models import LedgerTransaction

    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses "paid" with no settlement
        Payout.objects.filter(pk=payout.pk).update(status="paid", reference="forged")
    other = LedgerTransaction.objects.filter(kind="earnings.release").first()
    Payout.objects.filter(pk=payout.pk).update(status="paid", reference="forged", settle_tx=other)  # no money moved
    problems = _problems()
    assert any(f"payout #{payout.pk}" in p and "outgoing" in p for p in problems), problems


def test_ledger_check_catches_a_second_outgoing_movement_and_a_negative_in_flight():
    from django.db import transaction

    from fanwen.commerce.services import ledger

    author = author_with_available(2000, alipay=False)
    payout = payout_mark_paid(payout_id=payout_request(user=author, amount_fen=1000).pk,
                              actor=make_user(is_staff=True), reference="R1")
    with transaction.atomic():  # paid twice
        ledger.ledger_post(kind="payout.paid", movements=[
            (Account.objects.get(code=f"payout:{payout.pk}"), -1000), (ledger.clearing_account("manual"), 1000)])
    problems = _problems()
    assert any("is negative" in p for p in problems), problems
    assert any("2 outgoing movement(s)" in p for p in problems), problems


def test_ledger_check_catches_an_orphan_payout_account_and_a_wrong_status():
    from django.db import transaction

    from fanwen.commerce.services import ledger

    author = author_with_available(2000, alipay=False)
    payout = payout_request(user=author, amount_fen=1000)
    Payout.objects.filter(pk=payout.pk).update(status="rejected", reason="x", settle_tx=payout.request_tx)
    with transaction.atomic():
        orphan = ledger.account_get("payout:999999", Account.Kind.PAYOUT, author.pk)
        ledger.ledger_post(kind="x", movements=[(orphan, 5), (ledger.author_account(author.pk), -5)])
    problems = _problems()
    assert any("payout:999999 has no payout" in p for p in problems), problems
    assert any(f"payout #{payout.pk}" in p and "in flight 1000, expected 0" in p for p in problems), problems


def test_the_ledger_command_reports_payout_problems():
    author = author_with_available(2000, alipay=False)
    payout = payout_request(user=author, amount_fen=1000)
    call_command("ledger", "check")
    Payout.objects.filter(pk=payout.pk).update(amount_fen=500)
    with pytest.raises(SystemExit):
        call_command("ledger", "check")
