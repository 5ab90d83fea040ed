"""站内信 about money: an author's first sale of a document, and refunds (to the buyer and,
for a sale, to the author).  Titles, order numbers and amounts only; once per event.

Stored after the money transaction commits (``transaction.on_commit``): inserting a notice
takes a key-share lock on the user's row, which inside a sale or refund would come after the
ledger accounts' locks — out of the one lock order (``locking.py``) — and deadlocked a refund
racing a payment on PostgreSQL.  A notice lost to a crash between the commit and the insert
is the price; the money is not."""

from __future__ import annotations

from django.db import transaction

from fanwen.commerce.models import Order, Refund
from fanwen.core.money import fen_to_yuan
from fanwen.notices.models import Notice
from fanwen.notices.services import notify


def _title(order: Order) -> str:
    return f"《{order.document.title[:60]}》" if order.document_id and order.document else "会员"


def tell_first_sale(order: Order) -> None:
    """Inside the sale's transaction: the author hears of the document's first sale only."""
    if order.kind != Order.Kind.DOCUMENT or order.document_id is None or order.document is None \
            or order.document.author_id is None:
        return
    earlier = Order.objects.filter(
        document_id=order.document_id, status__in=(Order.Status.PAID, Order.Status.REFUNDED)
    ).exclude(pk=order.pk)
    if earlier.exists():
        return
    author_id, title, amount, document_id = order.document.author_id, _title(order), order.amount_fen, order.document_id
    transaction.on_commit(lambda: notify(
        user_id=author_id, kind=Notice.Kind.SALE, title=f"{title}卖出了第一份",
        body=f"售价 ¥{fen_to_yuan(amount)}。收益在结算期后可提现。", link="/me/earnings/",
        dedupe_key=f"first_sale:{document_id}"))


def tell_refund(refund: Refund, order: Order) -> None:
    title, number, refund_id = _title(order), order.number, refund.pk
    buyer_id, refunded, paid = order.user_id, refund.amount_fen, order.amount_fen
    author_id = (order.document.author_id if refund.reverses_sale and order.kind == Order.Kind.DOCUMENT
                 and order.document else None)

    def send() -> None:
        notify(user_id=buyer_id, kind=Notice.Kind.REFUND, title=f"订单 {number} 已退款",
               body=f"{title} ¥{fen_to_yuan(refunded)} 已按原路退回。", link=f"/orders/{number}/",
               dedupe_key=f"refund:{refund_id}")
        if author_id:
            notify(user_id=author_id, kind=Notice.Kind.REFUND, title=f"{title}的一笔销售已退款",
                   body=f"订单金额 ¥{fen_to_yuan(paid)}，对应的作者收益已扣回。", link="/me/earnings/",
                   dedupe_key=f"refund:{refund_id}")

    transaction.on_commit(send)
