"""站内信 for money: first sale (once per document), refunds (buyer and author), payouts
approved / paid / rejected — stored after the money transaction commits."""

from __future__ import annotations

import pytest

from fanwen.notices.models import Notice
from fanwen.payouts.services import payout_mark_paid, payout_reject, payout_request
from tests.commerce.factories import make_document, make_user
from tests.payouts.helpers import author_with_available, refund, sell

pytestmark = pytest.mark.django_db


def titles(user, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Notice.objects.filter(user=user, kind=kind).order_by("id").values_list("title", flat=True))


def test_the_author_hears_of_the_first_sale_of_each_document_only(django_capture_on_commit_callbacks):
    author = make_user()
    first, second = make_document(author=author, title="第一篇"), make_document(author=author, title="第二篇")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            sell(first)
        sell(second)
    assert titles(author, "sale") == ["《第一篇》卖出了第一份", "《第二篇》卖出了第一份"]


def test_a_refund_tells_the_buyer_and_the_author(django_capture_on_commit_callbacks):
    author = make_user()
    doc = make_document(author=author, title="退款篇", price_fen=800)
    with django_capture_on_commit_callbacks(execute=True):
        order = sell(doc)
        refund(order)
    assert titles(order.user, "refund") == [f"订单 {order.number} 已退款"]
    assert "¥8.00" in Notice.objects.get(user=order.user, kind="refund").body
    assert titles(author, "refund") == ["《退款篇》的一笔销售已退款"]


def test_each_payout_step_tells_the_author_once(django_capture_on_commit_callbacks):
    author = author_with_available(fen_per_sale=2000, sales=2)
    staff = make_user(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        paid = payout_request(user=author, amount_fen=1000)
        payout_mark_paid(payout_id=paid.pk, actor=staff, reference="BANK-123")
        rejected = payout_request(user=author, amount_fen=1000)
        payout_reject(payout_id=rejected.pk, actor=staff, reason="实名与账户不符")
    assert titles(author, "payout") == ["提现 ¥10.00 已打款", "提现 ¥10.00 未通过"]
    bodies = list(Notice.objects.filter(user=author, kind="payout").order_by("id").values_list("body", flat=True))
    assert "BANK-123" in bodies[0] and "实名与账户不符" in bodies[1]


def test_a_rolled_back_sale_tells_nobody(django_capture_on_commit_callbacks):
    from django.db import transaction

    author = make_user()
    doc = make_document(author=author, title="回滚篇")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            sell(doc)
            raise RuntimeError("the sale's transaction fails after the fact")
    assert titles(author, "sale") == []
