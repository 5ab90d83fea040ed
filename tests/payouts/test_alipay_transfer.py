"""Approving a payout with Alipay: alipay.fund.trans.uni.transfer, the real protocol (RSA2-signed
request, verified answer) against a local stand-in.  Success, verified failure, and an unknown
outcome that is queried — never paid twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from fanwen.audit.models import AuditEvent
from fanwen.commerce.models import LedgerEntry
from fanwen.commerce.services import ledger_check
from fanwen.payouts import alipay_transfer
from fanwen.payouts.models import Payout
from fanwen.payouts.services import (
    PayoutConflict,
    payout_approve_alipay,
    payout_request,
    payouts_retry_processing,
)
from tests.commerce import testkeys
from tests.commerce.factories import make_user
from tests.payouts.helpers import author_with_available, balances
from tests.payouts.standin import AlipayTransferStandIn

pytestmark = pytest.mark.django_db
APP_ID = "2021000000000001"


@pytest.fixture
def gateway(settings, tmp_path) -> Iterator[AlipayTransferStandIn]:
    with AlipayTransferStandIn(
        app_public_key=testkeys.public(testkeys.APP), app_id=APP_ID, alipay_key=testkeys.key(testkeys.ALIPAY)
    ) as standin:
        settings.FANWEN_ALIPAY_APP_ID = APP_ID
        settings.FANWEN_ALIPAY_PRIVATE_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.APP)
        settings.FANWEN_ALIPAY_PUBLIC_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.ALIPAY, public_only=True)
        settings.FANWEN_ALIPAY_GATEWAY = standin.gateway
        yield standin  # type: ignore[misc]


def _requested(amount_fen: int = 1000) -> tuple[Any, Payout, Any]:
    author = author_with_available(2000)
    return author, payout_request(user=author, amount_fen=amount_fen), make_user(is_staff=True)


def _transfer_calls(gateway: AlipayTransferStandIn) -> list[Any]:
    return [s for s in gateway.seen if s.params.get("method") == "alipay.fund.trans.uni.transfer"]


def test_success_pays_once_and_moves_the_money_out_to_alipay_clearing(gateway):
    _, payout, staff = _requested()
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)

    assert payout.status == "paid" and payout.reference == "2026113000000001"
    assert gateway.paid == [payout.out_biz_no]
    call = _transfer_calls(gateway)[0]
    assert call.signature_ok
    assert '"identity":"13800138000"' in call.params["biz_content"].replace(" ", "")
    assert '"trans_amount":"10.00"' in call.params["biz_content"].replace(" ", "")
    entries = sorted(LedgerEntry.objects.filter(transaction=payout.settle_tx).values_list("account__code", "amount_fen"))
    assert entries == [("clearing:alipay:0", 1000), (f"payout:{payout.pk}", -1000)]  # payouts use shard 0
    assert [e.action for e in AuditEvent.objects.filter(subject_type="payouts.payout").order_by("id")] == [
        "payouts.payout.requested", "payouts.payout.approved", "payouts.payout.paid"]
    with pytest.raises(PayoutConflict):
        payout_approve_alipay(payout_id=payout.pk, actor=staff)
    assert len(gateway.paid) == 1
    assert ledger_check() == []


def test_a_verified_refusal_returns_the_money_to_available(gateway):
    author, payout, staff = _requested()
    gateway.transfer_refusal = {"code": "40004", "sub_code": "PAYEE_USER_INFO_ERROR", "sub_msg": "收款方姓名不匹配"}
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)

    assert payout.status == "rejected" and "支付宝转账失败" in payout.reason
    assert "PAYEE_USER_INFO_ERROR" in payout.last_error
    assert gateway.paid == []
    assert balances(author) == (0, 1400)
    assert AuditEvent.objects.filter(action="payouts.payout.transfer_failed").exists()
    assert ledger_check() == []


def test_a_lost_answer_is_queried_and_found_paid_never_paid_twice(gateway):
    author, payout, staff = _requested()
    gateway.lose_transfer_answer = True
    gateway.query_unavailable = True
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)
    assert payout.status == "processing" and "结果未知" in payout.last_error
    assert balances(author) == (0, 400)  # still in flight

    gateway.query_unavailable = False
    assert payouts_retry_processing() == {"paid": 1, "rejected": 0, "processing": 0}
    payout.refresh_from_db()
    assert payout.status == "paid" and payout.reference == "2026113000000001"
    assert gateway.paid == [payout.out_biz_no]
    assert len(_transfer_calls(gateway)) == 1  # the retry asked, it did not send again
    assert ledger_check() == []


def test_an_unanswered_transfer_times_out_and_the_query_settles_it(gateway, monkeypatch):
    monkeypatch.setattr(alipay_transfer, "TIMEOUT_SECONDS", 0.3)
    _, payout, staff = _requested()
    gateway.hang_transfer = True
    gateway.hang_seconds = 1.0
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)
    # the query right after the timeout already finds it paid
    assert payout.status == "paid"
    assert gateway.paid == [payout.out_biz_no]
    assert ledger_check() == []


def test_a_transfer_alipay_never_received_is_sent_again_with_the_same_out_biz_no(gateway):
    _, payout, staff = _requested()
    gateway.transfer_state = "DEALING"
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)
    assert payout.status == "processing"
    gateway.transfers.clear()  # as if Alipay had never recorded it
    gateway.transfer_state = "SUCCESS"
    call_command("payouts", "retry")
    payout.refresh_from_db()
    assert payout.status == "paid"
    assert {c.params["biz_content"].count(payout.out_biz_no) for c in _transfer_calls(gateway)} == {1}
    assert len(_transfer_calls(gateway)) == 2 and gateway.paid == [payout.out_biz_no]


def test_a_failed_transfer_found_by_the_query_returns_the_money(gateway):
    author, payout, staff = _requested()
    gateway.transfer_state = "DEALING"
    payout_approve_alipay(payout_id=payout.pk, actor=staff)
    gateway.transfers[payout.out_biz_no]["status"] = "FAIL"
    assert payouts_retry_processing()["rejected"] == 1
    assert balances(author) == (0, 1400)
    assert ledger_check() == []


def test_an_answer_signed_by_a_stranger_is_not_believed(gateway):
    author, payout, staff = _requested()
    gateway.sign_with = testkeys.key(testkeys.STRANGER)
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)
    assert payout.status == "processing"  # paid at the stand-in, but nothing we can trust said so
    assert balances(author) == (0, 400)
    gateway.sign_with = testkeys.key(testkeys.ALIPAY)
    payouts_retry_processing()
    payout.refresh_from_db()
    assert payout.status == "paid" and len(gateway.paid) == 1


def test_a_query_reporting_another_amount_is_not_believed(gateway):
    _, payout, staff = _requested()
    gateway.transfer_state = "DEALING"
    payout_approve_alipay(payout_id=payout.pk, actor=staff)
    gateway.transfers[payout.out_biz_no] |= {"status": "SUCCESS", "amount": "99.00"}
    assert payouts_retry_processing()["processing"] == 1
    assert Payout.objects.get(pk=payout.pk).status == "processing"


def test_our_requests_are_signed_with_our_key(gateway, settings, tmp_path):
    _, payout, staff = _requested()
    (tmp_path / "stranger").mkdir()
    settings.FANWEN_ALIPAY_PRIVATE_KEY_FILE = testkeys.write_pem(tmp_path / "stranger", testkeys.STRANGER)
    payout = payout_approve_alipay(payout_id=payout.pk, actor=staff)
    assert payout.status == "processing" and gateway.paid == []
    assert all(not s.signature_ok for s in _transfer_calls(gateway))
