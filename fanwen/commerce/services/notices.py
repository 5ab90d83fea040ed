"""站内信 about money: an author's first sale of a document, and refunds (to the buyer and,
for a sale, to the author).  Titles, order numbers and amounts only; once per event."""

from __future__ import annotations

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
    notify(user_id=order.document.author_id, kind=Notice.Kind.SALE, title=f"{_title(order)}卖出了第一份",
           body=f"售价 ¥{fen_to_yuan(order.amount_fen)}。收益在结算期后可提现。", link="/me/earnings/",
           dedupe_key=f"first_sale:{order.document_id}")


def tell_refund(refund: Refund, order: Order) -> None:
    notify(user_id=order.user_id, kind=Notice.Kind.REFUND, title=f"订单 {order.number} 已退款",
           body=f"{_title(order)} ¥{fen_to_yuan(refund.amount_fen)} 已按原路退回。", link=f"/orders/{order.number}/",
           dedupe_key=f"refund:{refund.pk}")
    if refund.reverses_sale and order.kind == Order.Kind.DOCUMENT and order.document and order.document.author_id:
        notify(user_id=order.document.author_id, kind=Notice.Kind.REFUND,
               title=f"{_title(order)}的一笔销售已退款",
               body=f"订单金额 ¥{fen_to_yuan(order.amount_fen)}，对应的作者收益已扣回。", link="/me/earnings/",
               dedupe_key=f"refund:{refund.pk}")
