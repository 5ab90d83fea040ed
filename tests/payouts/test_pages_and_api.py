"""/me/payouts/ for authors, /ops/payouts/ for staff, and the API: thin over the services."""

from __future__ import annotations

import json

import pytest

from fanwen.accounts.services import api_token_create
from fanwen.payouts.models import Payout, PayoutAccount
from tests.commerce.factories import make_user
from tests.payouts.helpers import author_with_available, balances

pytestmark = pytest.mark.django_db


def test_the_author_page_shows_balances_the_form_and_history(client):
    author = author_with_available(2000)
    client.force_login(author)
    assert client.post("/me/payouts/request/", {"amount_yuan": "10"}).status_code == 302
    html = client.get("/me/payouts/").content.decode()
    assert "可提现：<strong class=\"price big\">¥4.00</strong>" in html
    assert "提现中：¥10.00" in html and "待审核" in html
    assert "138****8000" in html  # masked in the history
    assert 'name="viewport"' in html


@pytest.mark.parametrize(("amount", "message"), [
    ("abc", "提现金额应为元"), ("5", "单笔提现至少 ¥10.00"), ("99", "可提现余额不足"), ("1.001", "提现金额应为元")])
def test_a_bad_amount_on_the_page_is_a_chinese_message_not_a_500(client, amount, message):
    author = author_with_available(2000)
    client.force_login(author)
    page = client.post("/me/payouts/request/", {"amount_yuan": amount}, follow=True).content.decode()
    assert message in page
    assert Payout.objects.count() == 0


def test_the_account_form_explains_what_is_wrong(client):
    author = make_user()
    client.force_login(author)
    page = client.post("/me/payouts/account/", {"method": "alipay", "real_name": "张三", "alipay_login": "abc"},
                       follow=True).content.decode()
    assert "收款账户未保存：支付宝账号应为 11 位手机号或邮箱地址" in page
    client.post("/me/payouts/account/", {"method": "alipay", "real_name": "张三", "alipay_login": "13800138000"})
    assert PayoutAccount.objects.get(user=author).alipay_login == "13800138000"


def test_the_staff_queue_is_for_staff_only(client):
    author = author_with_available(2000)
    client.force_login(author)
    client.post("/me/payouts/request/", {"amount_yuan": "10"})
    payout = Payout.objects.get()
    assert client.get("/ops/payouts/").status_code == 404
    assert client.post(f"/ops/payouts/{payout.pk}/reject/", {"reason": "x"}).status_code == 404
    client.logout()
    assert client.get("/ops/payouts/").status_code == 404
    assert Payout.objects.get().status == "requested"


def test_staff_reject_and_mark_paid_from_the_queue(client):
    author = author_with_available(4000)  # ¥28.00
    client.force_login(author)
    client.post("/me/payouts/request/", {"amount_yuan": "10"})
    client.post("/me/payouts/request/", {"amount_yuan": "12.5"})
    first, second = Payout.objects.order_by("id")
    client.force_login(make_user(is_staff=True))
    queue = client.get("/ops/payouts/").content.decode()
    assert f"提现 #{first.pk}" in queue and "13800138000" in queue and "张三" in queue
    page = client.post(f"/ops/payouts/{first.pk}/reject/", {"reason": "请核对实名"}, follow=True).content.decode()
    assert "已驳回" in page
    page = client.post(f"/ops/payouts/{second.pk}/approve/", {"method": "manual", "reference": ""}, follow=True).content.decode()
    assert "请填写打款凭证号" in page
    client.post(f"/ops/payouts/{second.pk}/approve/", {"method": "manual", "reference": "ALI-HAND-1"})
    assert [p.status for p in Payout.objects.order_by("id")] == ["rejected", "paid"]
    assert balances(author) == (0, 2800 - 1250)
    client.force_login(author)
    assert "已驳回</strong><br>请核对实名" in client.get("/me/payouts/").content.decode()


def test_the_api_earnings_request_and_list(client):
    author = author_with_available(2000)
    headers = _token_headers(author)
    assert client.get("/api/v1/me/earnings", **headers).json() == {
        "pending_fen": 0, "available_fen": 1400, "in_flight_fen": 0, "paid_out_fen": 0}
    answer = client.post("/api/v1/me/payouts", json.dumps({"amount_fen": 1000}), content_type="application/json", **headers)
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "requested" and answer.json()["payee"] == "支付宝 138****8000"
    too_much = client.post("/api/v1/me/payouts", json.dumps({"amount_fen": 1000}), content_type="application/json", **headers)
    assert too_much.status_code == 402 and "可提现余额不足" in too_much.json()["detail"]
    too_little = client.post("/api/v1/me/payouts", json.dumps({"amount_fen": 5}), content_type="application/json", **headers)
    assert too_little.status_code == 400 and "至少" in too_little.json()["detail"]
    assert [p["amount_fen"] for p in client.get("/api/v1/me/payouts", **headers).json()] == [1000]
    assert client.get("/api/v1/me/earnings").status_code == 401


def test_the_api_staff_decisions(client):
    author = author_with_available(4000)
    headers = _token_headers(author)
    first = client.post("/api/v1/me/payouts", json.dumps({"amount_fen": 1000}), content_type="application/json", **headers).json()
    second = client.post("/api/v1/me/payouts", json.dumps({"amount_fen": 1000}), content_type="application/json", **headers).json()
    assert client.post(f"/api/v1/staff/payouts/{first['id']}/reject", json.dumps({"reason": "x"}),
                       content_type="application/json", **headers).status_code == 403
    staff = _token_headers(make_user(is_staff=True))
    rejected = client.post(f"/api/v1/staff/payouts/{first['id']}/reject", json.dumps({"reason": "账户有误"}),
                           content_type="application/json", **staff)
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "账户有误"
    paid = client.post(f"/api/v1/staff/payouts/{second['id']}/approve", json.dumps({"method": "manual", "reference": "R-9"}),
                       content_type="application/json", **staff)
    assert paid.json()["status"] == "paid"
    missing = client.post("/api/v1/staff/payouts/999999/approve", json.dumps({"method": "manual", "reference": "R"}),
                          content_type="application/json", **staff)
    assert missing.status_code == 404


def _token_headers(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}
