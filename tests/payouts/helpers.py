"""Given an author with sales …"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from fanwen.commerce.models import Account, Order
from fanwen.commerce.services import order_create, order_pay_with_wallet, order_refund, wallet_credit
from fanwen.payouts.services import payout_account_set
from tests.commerce.factories import make_document, make_user

LATER = timedelta(days=8)  # past the default holding period of 7 days


def sell(doc: Any) -> Order:
    reader = make_user()
    wallet_credit(user=reader, amount_fen=doc.price_fen, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    return order_pay_with_wallet(order_id=order.pk, user=reader)


def refund(order: Order) -> None:
    order_refund(order_id=order.pk, actor=make_user(is_staff=True))


def balances(author: Any) -> tuple[int, int]:
    """(pending, available) in fen."""
    found = dict(Account.objects.filter(user=author, kind__in=["pending", "author"]).values_list("kind", "balance_fen"))
    return found.get("pending", 0), found.get("author", 0)


def later() -> Any:
    return timezone.now() + LATER


def author_with_available(fen_per_sale: int = 1000, sales: int = 1, *, alipay: bool = True) -> Any:
    """An author whose ``sales`` sales (70 % of ``fen_per_sale`` each) are released and available."""
    from fanwen.commerce.services.earnings import earnings_release_due

    author = make_user()
    doc = make_document(price_fen=fen_per_sale, author=author)
    for _ in range(sales):
        sell(doc)
    earnings_release_due(now=later())
    if alipay:
        payout_account_set(user=author, method="alipay", real_name="张三", alipay_login="13800138000")
    else:
        payout_account_set(user=author, method="bank", real_name="张三", bank_name="中国工商银行",
                           bank_account_no="6222 0000 1234 5678")
    return author
