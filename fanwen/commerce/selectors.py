"""Reads of money: payment methods, wallet, earnings.  Who may read what: ``access.selectors``."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from fanwen.commerce.models import Account, Payment, Refund


def payment_methods_offered() -> list[str]:
    """How a buyer can pay here: the wallet, then each provider that is switched on."""
    from fanwen.commerce.models import Payment
    from fanwen.commerce.providers import registry

    return [str(Payment.Method.WALLET.label), *registry.offered_labels()]


def wallet_balance_fen(*, user_id: int) -> int:
    return Account.objects.filter(code=f"wallet:{user_id}").values_list("balance_fen", flat=True).first() or 0


def wallet_history(*, user_id: int, limit: int = 100) -> list[dict]:  # type: ignore[type-arg]
    """The wallet's ledger entries, newest first, with a running balance."""
    from fanwen.commerce.models import LedgerEntry

    labels = {"wallet.credit": "平台赠送", "order.paid": "支付", "refund.done": "退款", "payment.unmatched": "待处理"}
    entries = list(
        LedgerEntry.objects.filter(account__code=f"wallet:{user_id}")
        .select_related("transaction", "transaction__order")
        .order_by("-id")[:limit]
    )
    balance = wallet_balance_fen(user_id=user_id)
    rows = []
    for entry in entries:
        tx = entry.transaction
        label = labels.get(tx.kind, tx.kind)
        if tx.kind == "order.paid" and entry.amount_fen > 0:
            label = "充值"
        rows.append({"when": tx.created_at, "label": label, "amount_fen": entry.amount_fen, "balance_fen": balance,
                     "order": tx.order, "memo": tx.memo if tx.kind == "wallet.credit" else ""})
        balance -= entry.amount_fen
    return rows


def author_earnings(*, user_id: int, days: int = 30) -> dict:  # type: ignore[type-arg]
    """Available and pending balances, per-day earnings for the chart, and sales, refunds and net per document and in
    total.  A sale puts the author's share in (+); its refund takes that share back out (−)."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Sum
    from django.db.models.functions import TruncDate

    from fanwen.commerce.models import LedgerEntry

    code = f"author:{user_id}"
    since = timezone.now() - timedelta(days=days - 1)
    # Sales and refunds on either earnings account (pending, available); a release only moves a
    # share from one to the other, and payouts are withdrawals, not earnings.
    entries = LedgerEntry.objects.filter(account__code__in=[code, f"{code}:pending"]).exclude(
        transaction__kind__in=["earnings.release", "payout.requested", "payout.rejected"]
    )
    by_day = dict(
        entries.filter(transaction__created_at__gte=since)
        .annotate(day=TruncDate("transaction__created_at"))
        .values_list("day")
        .annotate(total=Sum("amount_fen"))
        .values_list("day", "total")
    )
    today = timezone.localdate()
    series = [(today - timedelta(days=i), by_day.get(today - timedelta(days=i), 0) or 0) for i in range(days - 1, -1, -1)]
    peak = max([v for _, v in series] + [1])
    sold = entries.filter(transaction__order__document__isnull=False)
    by_document = [
        {"document_id": row["transaction__order__document_id"], "title": row["transaction__order__document__title"],
         **_sales_and_refunds(row)}
        for row in sold.values("transaction__order__document_id", "transaction__order__document__title")
        .annotate(**_SALES_AND_REFUNDS).order_by("-net_fen", "transaction__order__document_id")[:50]
    ]
    balance = Account.objects.filter(code=code).values_list("balance_fen", flat=True).first() or 0
    pending = Account.objects.filter(code=f"{code}:pending").values_list("balance_fen", flat=True).first() or 0
    return {
        "balance_fen": balance,
        "pending_fen": pending,
        "series": [{"day": d, "fen": v, "height": round(100 * max(v, 0) / peak)} for d, v in series],
        "total_30d": sum(v for _, v in series),
        "by_document": by_document,
        "totals": _sales_and_refunds(sold.aggregate(**_SALES_AND_REFUNDS)),
        "share_percent": settings.FANWEN_AUTHOR_SHARE_PERCENT,
        "days": days,
    }


def _aggregates() -> dict:  # type: ignore[type-arg]
    from django.db.models import Count, Sum

    sale, refund = Q(amount_fen__gt=0), Q(amount_fen__lt=0)
    return {
        "sales": Count("id", filter=sale), "sales_fen": Sum("amount_fen", filter=sale),
        "refunds": Count("id", filter=refund), "refunds_fen": Sum("amount_fen", filter=refund),
        "net_fen": Sum("amount_fen"),
    }


_SALES_AND_REFUNDS = _aggregates()


def _sales_and_refunds(row: dict) -> dict:  # type: ignore[type-arg]
    """Counts and sums in fen; ``refunds_fen`` is what the refunds took back, as a positive number."""
    return {"sales": row["sales"], "sales_fen": row["sales_fen"] or 0, "refunds": row["refunds"],
            "refunds_fen": -(row["refunds_fen"] or 0), "net_fen": row["net_fen"] or 0}


def author_sales_count(*, author_id: int) -> int:
    """Copies of the author's documents sold and not refunded (any document status)."""
    from fanwen.commerce.models import Order

    return Order.objects.filter(
        kind=Order.Kind.DOCUMENT, status=Order.Status.PAID, document__author_id=author_id
    ).count()


def payments_count_by_state() -> dict[str, int]:
    """Payment attempts per state (every state present, zeros included), for metrics."""
    counts = dict.fromkeys(Payment.Status.values, 0)
    for status, n in Payment.objects.order_by().values_list("status").annotate(n=Count("id")):
        counts[status] = n
    return counts


def payments_count_by_state_and_method() -> dict[tuple[str, str], int]:
    """Payment attempts per (state, method), every pair present (zeros included): the metrics'
    ``fanwen_payments`` (6 × 3 series at most)."""
    counts = {(state, method): 0 for state in Payment.Status.values for method in Payment.Method.values}
    for row in Payment.objects.order_by().values("status", "method").annotate(n=Count("id")):
        counts[(row["status"], row["method"])] = row["n"]
    return counts


def refunds_needing_staff() -> int:
    """Refunds the provider kept refusing (需人工处理): no longer retried automatically."""
    return Refund.objects.filter(status=Refund.Status.FAILED).count()


def order_payment_attempts(*, order_id: int) -> list[Payment]:
    """The order's payment attempts, oldest first, for the buyer's order page."""
    return list(Payment.objects.filter(order_id=order_id).order_by("pk"))
