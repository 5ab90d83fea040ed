"""Reviews, reports and the readers' shelves never carry paid text to a reader who may not read
it.  A buyer pastes a paid canary into a review (and a rights holder into a complaint): crawled
as anonymous, signed-in non-buyer, token non-buyer and refunded buyer, every page and API
operation shows the review withheld; the entitled buyer, the author and staff see it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fanwen.accounts.services import api_token_create
from fanwen.commerce.models import Order
from fanwen.commerce.services import order_create, order_pay_with_wallet, wallet_credit
from fanwen.commerce.services.refunds import order_refund
from fanwen.community import services as community_services
from fanwen.community import services_reports
from fanwen.community.models import Review
from fanwen.core.fingerprint import strip_carriers
from fanwen.library.models import Document
from tests.leak.conftest import Planted
from tests.leak.crawler import crawl
from tests.leak.test_leak import assert_crawl_covered, assert_no_canary, extra_urls

pytestmark = pytest.mark.django_db
WITHHELD = "（评价含付费内容，购买后可见）"


def buy(user, document_id: int) -> Order:  # type: ignore[no-untyped-def]
    price = Document.objects.get(pk=document_id).price_fen
    wallet_credit(user=user, amount_fen=price, reason="test")
    order = order_create(user=user, document_id=document_id)
    order_pay_with_wallet(order_id=order.pk, user=user)
    return order


@pytest.fixture
def reviewed(planted: Planted) -> dict[str, object]:
    User = get_user_model()
    copier, refunded = User.objects.create_user("copier", password="copier-pass-1"), User.objects.create_user(
        "refunded", password="refunded-pass-1")
    buy(copier, planted.document_id)
    order = buy(refunded, planted.document_id)
    order_refund(order_id=order.pk, actor=None)
    text = f"原文写道：{planted.canaries['para']}，很有用"
    review, _ = community_services.review_save(user=copier, document_id=planted.document_id, stars=5, text=text)
    services_reports.report_create(user=refunded, document_id=planted.document_id, reason="other",
                                   note=f"评论里有{planted.canaries['heading']}", review_id=review.pk)
    services_reports.complaint_create(document_id=planted.document_id, address="192.0.2.1", name="权利人",
                                      email="r@example.com", phone="", work="原作",
                                      statement=f"复制了{planted.canaries['midline']}")
    community_services.favorite_add(user=copier, document_id=planted.document_id)
    community_services.history_record(user_id=refunded.pk, document_id=planted.document_id)
    return {"copier": copier, "refunded": refunded, "review": review}


def community_urls(planted: Planted, review: Review) -> list[str]:
    d = planted.document_id
    return [f"/d/{d}/", f"/d/{d}/report/", f"/d/{d}/report/?review={review.pk}", f"/d/{d}/complaint/",
            f"/d/{planted.free_id}/report/", f"/d/{planted.free_id}/complaint/", "/me/", "/me/notices/",
            "/ops/reports/", "/ops/reports/?status=all", "/ops/reports/?status=resolved",
            "/api/v1/staff/reports", "/api/v1/staff/reports?status=all"]


@pytest.mark.parametrize("who", ["anonymous", "reader", "token", "refunded"])
def test_a_review_quoting_paid_text_reaches_no_one_who_may_not_read_it(client, planted, reviewed, who):
    headers: dict[str, str] = {}
    User = get_user_model()
    if who == "reader":
        client.force_login(User.objects.create_user("reader", password="reader-pass-1"))
    elif who == "token":
        reader = User.objects.create_user("reader", password="reader-pass-1")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=reader)}"}
    elif who == "refunded":
        client.force_login(reviewed["refunded"])
    result = crawl(client, extra=[*community_urls(planted, reviewed["review"]), *extra_urls(client, planted)],  # type: ignore[arg-type]
                   headers=headers)
    assert_crawl_covered(result, planted)
    assert_no_canary(result, planted)
    page = result.bodies[f"/d/{planted.document_id}/"]
    assert WITHHELD in page, "the review is there, withheld"
    assert result.statuses["/ops/reports/"] == 404
    assert result.statuses["/api/v1/staff/reports"] in (401, 403)


@pytest.mark.parametrize("who", ["copier", "author", "staff"])
def test_entitled_readers_see_the_review_as_written(client, planted, reviewed, who):
    User = get_user_model()
    user = {"copier": reviewed["copier"], "author": User.objects.filter(username="author").first(),
            "staff": User.objects.create_user("operator", password="operator-pass-1", is_staff=True)}[who]
    client.force_login(user)
    page = strip_carriers(client.get(f"/d/{planted.document_id}/").content.decode())
    assert planted.canaries["para"] in page and WITHHELD not in page
    if who == "staff":
        queue = client.get("/ops/reports/").content.decode()
        assert planted.canaries["midline"] in queue and planted.canaries["heading"] in queue


def test_the_anonymous_page_cache_never_holds_the_review_text(planted, reviewed):
    first = Client().get(f"/d/{planted.document_id}/").content.decode()
    second = Client().get(f"/d/{planted.document_id}/").content.decode()  # from the cache
    for body in (first, second):
        assert planted.canaries["para"] not in body and WITHHELD in body
        assert "csrfmiddlewaretoken" not in body.split('id="reviews"')[1].split("</section>")[0]
