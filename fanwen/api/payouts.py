"""Earnings and payouts (提现) in the API: the author's own, and the staff decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from fanwen.api.auth import require_user, require_user_for_write
from fanwen.api.orders import ERRORS
from fanwen.commerce.services.errors import CommerceError
from fanwen.payouts import selectors, services
from fanwen.payouts.models import Payout

router = Router(tags=["payouts"])


class EarningsOut(Schema):
    pending_fen: int
    available_fen: int
    in_flight_fen: int
    paid_out_fen: int


class PayoutIn(Schema):
    amount_fen: int = Field(..., ge=1, le=10**12, description="提现金额（分），至少 FANWEN_PAYOUT_MIN_FEN")


class PayoutOut(Schema):
    id: int
    amount_fen: int
    status: str
    status_label: str
    payee: str
    reason: str
    created_at: datetime
    decided_at: datetime | None


class ApproveIn(Schema):
    method: Literal["alipay", "manual"]
    reference: str = Field("", max_length=200)


class RejectIn(Schema):
    reason: str = Field(..., max_length=400)


def payout_dict(payout: Payout) -> dict[str, Any]:
    return {"id": payout.pk, "amount_fen": payout.amount_fen, "status": payout.status,
            "status_label": payout.get_status_display(), "payee": selectors.payee_shown(payout),
            "reason": payout.reason, "created_at": payout.created_at, "decided_at": payout.decided_at}


def _staff(request: HttpRequest) -> Any:
    user = require_user_for_write(request)
    if not user.is_staff:
        raise HttpError(403, "仅管理员可以审核提现")
    return user


@router.get("/me/earnings", response={200: EarningsOut, **ERRORS}, summary="我的收益：待结算、可提现、提现中、已提现（分）")
def my_earnings(request: HttpRequest) -> Any:
    return selectors.earnings_summary(user_id=require_user(request).pk)


@router.get("/me/payouts", response={200: list[PayoutOut], **ERRORS}, summary="我的提现记录")
def my_payouts(request: HttpRequest) -> Any:
    return [payout_dict(p) for p in selectors.payouts_of(user_id=require_user(request).pk)]


@router.post("/me/payouts", response={200: PayoutOut, **ERRORS}, summary="申请提现（从可提现余额中扣出）")
def payouts_create(request: HttpRequest, payload: PayoutIn) -> Any:
    user = require_user_for_write(request)
    try:
        return payout_dict(services.payout_request(user=user, amount_fen=payload.amount_fen))
    except CommerceError as exc:
        raise HttpError(exc.status, exc.message) from exc


@router.post("/staff/payouts/{int:payout_id}/approve", response={200: PayoutOut, **ERRORS}, summary="通过提现（仅管理员）：支付宝打款或人工打款")
def payouts_approve(request: HttpRequest, payout_id: int, payload: ApproveIn) -> Any:
    staff = _staff(request)
    try:
        if payload.method == "alipay":
            payout = services.payout_approve_alipay(payout_id=payout_id, actor=staff)
        else:
            payout = services.payout_mark_paid(payout_id=payout_id, actor=staff, reference=payload.reference)
    except CommerceError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return payout_dict(payout)


@router.post("/staff/payouts/{int:payout_id}/reject", response={200: PayoutOut, **ERRORS}, summary="驳回提现（仅管理员），款项退回可提现余额")
def payouts_reject(request: HttpRequest, payout_id: int, payload: RejectIn) -> Any:
    staff = _staff(request)
    try:
        return payout_dict(services.payout_reject(payout_id=payout_id, actor=staff, reason=payload.reason))
    except CommerceError as exc:
        raise HttpError(exc.status, exc.message) from exc
