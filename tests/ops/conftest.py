"""A known dataset for the ops console: sales, a refund, an open checkout, a sale on an earlier
day, a document waiting for review, views, payouts and searches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from fanwen.commerce.models import Order
from fanwen.commerce.services import order_create
from fanwen.library.models import Document
from fanwen.ops.services import site_views_add
from fanwen.payouts.models import Payout
from fanwen.search.services import search_log
from tests.commerce.factories import make_document, make_user
from tests.stats.test_rollup import refund, sell


@dataclass
class Known:
    staff: Any
    reader: Any
    doc: Document
    pending: Document
    old_order: Order


@pytest.fixture
def known(db) -> Known:  # type: ignore[no-untyped-def]
    return build_known()


def build_known() -> Known:
    now = timezone.now()
    author = make_user("ops_author")
    doc = make_document(price_fen=1000, author=author, title="运营测试文档甲")
    cheap = make_document(price_fen=500, author=author, title="运营测试文档乙")
    first = sell(doc)
    sell(doc)
    sell(cheap)
    refund(first)  # today: 1 refund of ¥10
    old = sell(cheap)  # paid 5 days ago: counts then, not today (and not in a 7-day period's today)
    Order.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=5), paid_at=now - timedelta(days=5))
    order_create(user=make_user(), document_id=doc.pk)  # a checkout left unpaid
    pending = make_document(price_fen=800, author=author, title="待审核的文档")
    Document.objects.filter(pk=pending.pk).update(status=Document.Status.PENDING, created_at=now - timedelta(days=3))
    today = timezone.localdate()
    site_views_add(day=today, reads=100, paywall_views=40)
    site_views_add(day=today, reads=50, paywall_views=10)
    site_views_add(day=today - timedelta(days=40), reads=7, paywall_views=7)
    old_user = make_user("joined_long_ago")
    get_user_model().objects.filter(pk=old_user.pk).update(date_joined=now - timedelta(days=40))
    for n, status in ((2000, Payout.Status.REQUESTED), (3000, Payout.Status.PROCESSING)):
        Payout.objects.create(user=author, amount_fen=n, status=status, out_biz_no=f"P{n}", payee_method="alipay",
                              payee_name="王芳", payee_identity="wf@example.com")
    for q, total in (("工作总结", 9), ("工作总结", 9), ("工作总结", 9), ("述职报告", 4), ("述职报告", 4),
                     ("火星文档", 0), ("火星文档", 0), ("量子党建", 0)):
        search_log(query=q, total=total)
    staff = make_user("ops_staff", is_staff=True)
    from fanwen.community.models import Report

    Report.objects.create(document=doc, reason=Report.Reason.QUALITY, note="开放的举报")
    Report.objects.create(document=doc, reason=Report.Reason.OTHER, note="已处理", status=Report.Status.RESOLVED)
    return Known(staff, make_user("ops_reader"), doc, pending, old)
