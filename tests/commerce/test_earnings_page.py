"""The author's earnings page: sales, refunds and net kept apart, and the author's share stated."""

from __future__ import annotations

import re

import pytest

from fanwen.commerce import selectors
from fanwen.commerce.services import order_create, order_pay_with_wallet, order_refund, wallet_credit
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def _sell(doc, *, refund: bool = False) -> None:  # type: ignore[no-untyped-def]
    reader = make_user()
    wallet_credit(user=reader, amount_fen=doc.price_fen, reason="x")
    order = order_create(user=reader, document_id=doc.pk)
    order_pay_with_wallet(order_id=order.pk, user=reader)
    if refund:
        order_refund(order_id=order.pk, actor=make_user(is_staff=True))


def _cells(html: str, title: str) -> list[str]:
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(title)}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, f"no row for {title}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)]


def test_a_refunded_sale_is_not_counted_as_a_sale(client):
    author = make_user()
    doc = make_document(price_fen=1000, author=author, title="退款文档")
    _sell(doc, refund=True)

    client.force_login(author)
    html = client.get("/me/earnings/").content.decode()

    # 文档 | 销售笔数 | 销售分成 | 退款笔数 | 退款 | 净收益
    assert _cells(html, "退款文档") == ["退款文档", "1", "¥7.00", "1", "-¥7.00", "¥0.00"]


def test_sales_refunds_and_net_per_document_and_in_total(client, settings):
    settings.FANWEN_AUTHOR_SHARE_PERCENT = 60
    author = make_user()
    kept = make_document(price_fen=500, author=author, title="畅销文档")
    returned = make_document(price_fen=300, author=author, title="退过一次")
    _sell(kept)
    _sell(kept)
    _sell(returned)
    _sell(returned, refund=True)

    client.force_login(author)
    html = client.get("/me/earnings/").content.decode()

    assert "作者分成 60%" in html
    assert _cells(html, "畅销文档") == ["畅销文档", "2", "¥6.00", "0", "¥0.00", "¥6.00"]
    assert _cells(html, "退过一次") == ["退过一次", "2", "¥3.60", "1", "-¥1.80", "¥1.80"]
    assert _cells(html, "合计") == ["合计", "4", "¥9.60", "1", "-¥1.80", "¥7.80"]
    earned = selectors.author_earnings(user_id=author.pk)
    assert (earned["pending_fen"], earned["balance_fen"]) == (780, 0)  # inside the holding period
