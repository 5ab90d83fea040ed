"""Reads of earnings and payouts for the author's page, the staff queue and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from fanwen.commerce.models import Account
from fanwen.payouts import rules
from fanwen.payouts.models import Payout, PayoutAccount

OPEN = (Payout.Status.REQUESTED, Payout.Status.PROCESSING)


def earnings_summary(*, user_id: int) -> dict[str, int]:
    """``pending_fen`` (inside the holding period), ``available_fen`` (may be negative: a refund
    after the holding period, settled from later earnings), ``in_flight_fen``, ``paid_out_fen``."""
    balances = dict(
        Account.objects.filter(code__in=[f"author:{user_id}", f"author:{user_id}:pending"]).values_list("code", "balance_fen")
    )
    mine = Payout.objects.filter(user_id=user_id)
    return {
        "pending_fen": balances.get(f"author:{user_id}:pending", 0),
        "available_fen": balances.get(f"author:{user_id}", 0),
        "in_flight_fen": mine.filter(status__in=OPEN).aggregate(s=Sum("amount_fen"))["s"] or 0,
        "paid_out_fen": mine.filter(status=Payout.Status.PAID).aggregate(s=Sum("amount_fen"))["s"] or 0,
    }


def payouts_of(*, user_id: int, limit: int = 50) -> list[Payout]:
    return list(Payout.objects.filter(user_id=user_id).order_by("-id")[:limit])


def payout_account_of(*, user_id: int) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(user_id=user_id).first()


def payee_shown(payout: Payout) -> str:
    """The payee as the author sees it: masked."""
    return f"{payout.get_payee_method_display()} {rules.masked(payout.payee_identity)}"


def account_shown(account: PayoutAccount | None) -> dict[str, Any] | None:
    if account is None:
        return None
    identity = account.alipay_login or account.bank_account_no
    return {"method": account.method, "method_label": account.get_method_display(), "real_name": account.real_name,
            "identity": rules.masked(identity), "bank_name": account.bank_name}


def staff_queue(*, status: str = "requested") -> QuerySet[Payout]:
    queue = Payout.objects.select_related("user", "reviewed_by").order_by("id" if status in OPEN else "-id")
    return queue.filter(status=status) if status in Payout.Status.values else queue
