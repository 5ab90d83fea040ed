"""Payout writes: the payout account, requests, and staff decisions.  Every money step is one
balanced ledger transaction:

    author:<id> (available)  →  payout:<payout id> (in flight)  →  clearing:alipay:0 | clearing:manual:0 (paid; clearing shard 0)
                                                               ↘  author:<id> (rejected: money back)

Locks: payout → ledger accounts (ascending), inside the commerce lock order.  A request locks
the author's available account and checks its balance inside that lock, so requests racing
for more than is available never overdraw (SQLite: BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE).
The Alipay transfer is called outside any transaction; only a verified outcome is recorded,
and an unknown one is queried again (``payouts_retry_processing``, every minute) — never paid twice.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanwen.audit.services import audit_record
from fanwen.commerce.models import Account
from fanwen.commerce.providers import registry
from fanwen.commerce.services import ledger
from fanwen.commerce.services.earnings import earnings_release_due
from fanwen.commerce.services.errors import CommerceError, InsufficientBalance, NotFound
from fanwen.commerce.services.locking import atomic_write, lock_accounts
from fanwen.core.money import fen_to_yuan
from fanwen.payouts import rules
from fanwen.payouts.alipay_transfer import AlipayTransfers, TransferOutcome
from fanwen.payouts.models import Method, Payout, PayoutAccount
from fanwen.payouts.notices import tell_author

log = logging.getLogger("fanwen.payouts")

MANUAL_CLEARING = "manual"


class PayoutInvalid(CommerceError):
    status = 400


class PayoutConflict(CommerceError):
    status = 409


def min_fen() -> int:
    return int(settings.FANWEN_PAYOUT_MIN_FEN)


# ---- the payout account -------------------------------------------------------------------------


def payout_account_set(*, user: Any, method: str, real_name: str, alipay_login: str = "", bank_name: str = "",
                       bank_branch: str = "", bank_account_no: str = "") -> PayoutAccount:
    """Validate and keep the author's payout account.  Raises ``rules.AccountInvalid`` (Chinese)."""
    if method not in Method.values:
        raise rules.AccountInvalid("method", "请选择收款方式：支付宝或银行卡")
    values = {"method": method, "real_name": rules.real_name(real_name),
              "alipay_login": "", "bank_name": "", "bank_branch": "", "bank_account_no": ""}
    if method == Method.ALIPAY:
        values["alipay_login"] = rules.alipay_login(alipay_login)
    else:
        values |= {"bank_name": rules.bank_name(bank_name), "bank_branch": rules.bank_branch(bank_branch),
                   "bank_account_no": rules.bank_account_no(bank_account_no)}
    with transaction.atomic():
        try:
            with transaction.atomic():
                account, _ = PayoutAccount.objects.update_or_create(user=user, defaults=values)
        except IntegrityError:  # two first saves at once: the other one created the row
            account, _ = PayoutAccount.objects.update_or_create(user=user, defaults=values)
        audit_record(action="payouts.account.updated", actor=user, subject=account,
                     data={"method": method, "identity": rules.masked(values["alipay_login"] or values["bank_account_no"])})
    return account


# ---- requests -----------------------------------------------------------------------------------


def payout_request(*, user: Any, amount_fen: int) -> Payout:
    """Move ``amount_fen`` of the author's available money into a new payout, in flight."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise PayoutInvalid("提现金额应为整数（单位：分）")
    if amount_fen < min_fen():
        raise PayoutInvalid(f"单笔提现至少 ¥{fen_to_yuan(min_fen())}")
    payee = PayoutAccount.objects.filter(user=user).first()
    if payee is None:
        raise PayoutInvalid("请先设置收款账户（支付宝或银行卡）")
    earnings_release_due(author_id=user.pk)  # matured sales first, each in its own transaction
    available = ledger.author_account(user.pk)
    return _payout_request(user=user, amount_fen=amount_fen, payee=payee, available_id=available.pk)


@atomic_write
def _payout_request(*, user: Any, amount_fen: int, payee: PayoutAccount, available_id: int) -> Payout:
    available = lock_accounts([available_id])[available_id]
    if available.balance_fen < amount_fen:
        shown = max(available.balance_fen, 0)
        raise InsufficientBalance(f"可提现余额不足：当前可提现 ¥{fen_to_yuan(shown)}")
    identity = payee.alipay_login if payee.method == Method.ALIPAY else payee.bank_account_no
    bank = f"{payee.bank_name} {payee.bank_branch}".strip() if payee.method == Method.BANK else ""
    payout = Payout.objects.create(
        user=user, amount_fen=amount_fen, out_biz_no=f"FWPO{timezone.now():%Y%m%d}{secrets.token_hex(10).upper()}",
        payee_method=payee.method, payee_name=payee.real_name, payee_identity=identity, payee_bank=bank,
    )
    in_flight = ledger.account_get(payout.account_code, Account.Kind.PAYOUT, user.pk)
    tx = ledger.ledger_post(kind="payout.requested", memo=payout.out_biz_no,
                            movements=[(available, -amount_fen), (in_flight, amount_fen)])
    payout.request_tx = tx
    payout.save(update_fields=["request_tx"])
    audit_record(action="payouts.payout.requested", actor=user, subject=payout,
                 data={"amount_fen": amount_fen, "method": payee.method})
    return payout


# ---- staff decisions ----------------------------------------------------------------------------


def _lock_payout(payout_id: int) -> Payout:
    payout = Payout.objects.select_for_update().filter(pk=payout_id).first()
    if payout is None:
        raise NotFound("提现申请不存在")
    return payout


def _settle(payout: Payout, *, status: str, destination: Account, kind: str) -> None:
    in_flight = ledger.account_get(payout.account_code, Account.Kind.PAYOUT, payout.user_id)
    lock_accounts([in_flight.pk, destination.pk])
    tx = ledger.ledger_post(kind=kind, memo=payout.out_biz_no,
                            movements=[(in_flight, -payout.amount_fen), (destination, payout.amount_fen)])
    payout.status, payout.settle_tx, payout.decided_at = status, tx, timezone.now()
    payout.save(update_fields=["status", "settle_tx", "decided_at", "paid_via", "reference", "reason",
                               "reviewed_by", "last_error", "attempts"])
    tell_author(payout)


def _lock_requested(payout_id: int, refusal: str) -> Payout:
    """The payout, locked, if it still waits for a decision."""
    payout = _lock_payout(payout_id)
    if payout.status != Payout.Status.REQUESTED:
        raise PayoutConflict(f"这笔提现{payout.get_status_display()}，{refusal}")
    return payout


def _one_line(value: object, *, empty: str, too_long: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise PayoutInvalid(empty)
    if len(text) > limit:
        raise PayoutInvalid(too_long)
    return text


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@atomic_write
def payout_reject(*, payout_id: int, actor: Any, reason: str) -> Payout:
    """Staff say no: the money returns to the author's available balance, with the reason."""
    reason = _one_line(reason, empty="请填写驳回原因", too_long="驳回原因最多 200 字", limit=200)
    payout = _lock_requested(payout_id, "不能驳回")
    payout.reason, payout.reviewed_by = reason, _actor(actor)
    _settle(payout, status=Payout.Status.REJECTED, destination=ledger.author_account(payout.user_id), kind="payout.rejected")
    audit_record(action="payouts.payout.rejected", actor=actor, subject=payout, data={"reason": reason, "amount_fen": payout.amount_fen})
    return payout


@atomic_write
def payout_mark_paid(*, payout_id: int, actor: Any, reference: str) -> Payout:
    """Staff paid it by hand (bank transfer, or Alipay outside fanwen) and give the reference."""
    reference = _one_line(reference, empty="请填写打款凭证号（银行流水号或支付宝订单号）",
                          too_long="打款凭证号最多 100 个字符", limit=100)
    payout = _lock_requested(payout_id, "不能标记为人工打款")
    payout.paid_via, payout.reference, payout.reviewed_by = MANUAL_CLEARING, reference, _actor(actor)
    _settle(payout, status=Payout.Status.PAID, destination=ledger.clearing_account(MANUAL_CLEARING), kind="payout.paid")
    audit_record(action="payouts.payout.paid", actor=actor, subject=payout,
                 data={"via": MANUAL_CLEARING, "reference": reference, "amount_fen": payout.amount_fen})
    return payout


def payout_approve_alipay(*, payout_id: int, actor: Any) -> Payout:
    """Staff approve: mark it 打款中 (committed), then ask Alipay outside any transaction."""
    transfers = alipay_transfers()  # refuse before anything changes when Alipay is not configured
    _payout_start_alipay(payout_id=payout_id, actor=actor)
    return _payout_transfer(payout_id=payout_id, transfers=transfers)


@atomic_write
def _payout_start_alipay(*, payout_id: int, actor: Any) -> None:
    payout = _lock_requested(payout_id, "不能再次审核")
    if payout.payee_method != Method.ALIPAY:
        raise PayoutInvalid("收款账户是银行卡：请人工转账后标记已打款")
    payout.status, payout.paid_via, payout.reviewed_by = Payout.Status.PROCESSING, "alipay", _actor(actor)
    payout.save(update_fields=["status", "paid_via", "reviewed_by"])
    tell_author(payout)
    audit_record(action="payouts.payout.approved", actor=actor, subject=payout, data={"via": "alipay", "amount_fen": payout.amount_fen})


def alipay_transfers() -> AlipayTransfers:
    try:
        return AlipayTransfers(registry.alipay_config())
    except Exception as exc:  # not configured (or broken keys): say so to staff, change nothing
        raise PayoutConflict("本站未配置支付宝转账：请人工打款后标记已打款") from exc


def _payout_transfer(*, payout_id: int, transfers: AlipayTransfers, query_first: bool = False) -> Payout:
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != Payout.Status.PROCESSING:
        return payout
    outcome = transfers.query_transfer(out_biz_no=payout.out_biz_no, amount_fen=payout.amount_fen) if query_first else None
    if outcome is None or outcome.status == "not_found":
        outcome = transfers.transfer(out_biz_no=payout.out_biz_no, amount_fen=payout.amount_fen,
                                     identity=payout.payee_identity, name=payout.payee_name, title="范文库作者收益提现")
    return _payout_record(payout_id=payout_id, outcome=outcome)


@atomic_write
def _payout_record(*, payout_id: int, outcome: TransferOutcome) -> Payout:
    payout = _lock_payout(payout_id)
    if payout.status != Payout.Status.PROCESSING:
        return payout
    payout.attempts += 1
    if outcome.status == "success":
        payout.reference, payout.last_error = outcome.order_id[:100], ""
        _settle(payout, status=Payout.Status.PAID, destination=ledger.clearing_account("alipay"), kind="payout.paid")
        audit_record(action="payouts.payout.paid", subject=payout,
                     data={"via": "alipay", "reference": payout.reference, "amount_fen": payout.amount_fen})
    elif outcome.status == "failed":
        payout.reason, payout.last_error = "支付宝转账失败，款项已退回可提现余额：请核对收款账户与实名后重新申请", outcome.detail[:300]
        _settle(payout, status=Payout.Status.REJECTED, destination=ledger.author_account(payout.user_id), kind="payout.rejected")
        audit_record(action="payouts.payout.transfer_failed", subject=payout, data={"detail": outcome.detail[:300]})
    else:
        payout.last_error = f"结果未知，稍后自动查询：{outcome.detail}"[:300]
        payout.save(update_fields=["attempts", "last_error"])
    return payout


def payouts_retry_processing() -> dict[str, int]:
    """Every Alipay payout whose outcome is not known yet: query, and resend only if Alipay knows
    no transfer by that out_biz_no (the worker, every minute; ``fanwen payouts retry``)."""
    counts = {"paid": 0, "rejected": 0, "processing": 0}
    ids = list(Payout.objects.filter(status=Payout.Status.PROCESSING).values_list("pk", flat=True))
    if not ids:
        return counts
    try:
        transfers = alipay_transfers()
    except PayoutConflict:
        log.error("%d payout(s) 打款中 but Alipay is not configured", len(ids))
        counts["processing"] = len(ids)
        return counts
    for payout_id in ids:
        try:
            status = _payout_transfer(payout_id=payout_id, transfers=transfers, query_first=True).status
        except Exception:  # one broken payout must not stop the others
            log.exception("payout %s could not be settled", payout_id)
            status = Payout.Status.PROCESSING
        counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


def payouts_tick() -> dict[str, int]:
    """The worker's minute: release matured earnings, settle open Alipay payouts."""
    return {"released": earnings_release_due(), **payouts_retry_processing()}
