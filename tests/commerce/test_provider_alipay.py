"""支付宝 provider: notifications signed with test keys, page/wap URLs, refunds against a stand-in gateway."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from fanwen.commerce.providers import (
    NotificationRejected,
    ProviderRefused,
    ProviderResponseRejected,
    ProviderUnavailable,
    RefundResult,
)
from fanwen.commerce.providers.alipay import AlipayConfig, AlipayProvider
from tests.commerce import testkeys
from tests.commerce.standins import AlipayGatewayStandIn, closed_port
from tests.commerce.testkeys import sign_sha256_rsa

APP_ID = "2021000000000001"


def provider(gateway: str = "https://openapi.alipay.com/gateway.do", timeout: float = 5.0) -> AlipayProvider:
    return AlipayProvider(
        AlipayConfig(
            app_id=APP_ID,
            app_private_key=testkeys.key(testkeys.APP),
            alipay_public_key=testkeys.public(testkeys.ALIPAY),
            gateway=gateway,
            timeout_seconds=timeout,
        )
    )


def notification_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "notify_time": "2024-05-01 12:00:05",
        "notify_type": "trade_status_sync",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "app_id": APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": "2024050122001400000000000001",
        "out_trade_no": "FW20240501000001",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "5.00",
        "receipt_amount": "5.00",
        "subject": "入党申请书范文",
        "buyer_id": "2088102177846880",
        "seller_id": "2088101117955611",
        "gmt_create": "2024-05-01 12:00:00",
        "gmt_payment": "2024-05-01 12:00:04",
    }
    fields.update(overrides)
    return fields


def signed(fields: dict[str, str], *, role: str = testkeys.ALIPAY, charset: str = "utf-8") -> dict[str, str]:
    """Sign as Alipay documents it, independently of the code under test."""
    unsigned = {k: v for k, v in fields.items() if k not in ("sign", "sign_type")}
    message = "&".join(f"{k}={unsigned[k]}" for k in sorted(unsigned)).encode(charset)
    return {**fields, "sign": sign_sha256_rsa(testkeys.key(role), message)}


def form(fields: dict[str, str], charset: str = "utf-8") -> bytes:
    return urlencode(fields, encoding=charset).encode("ascii")


HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


# ---- notifications ------------------------------------------------------------------------------


def test_genuine_notification_verifies_and_parses():
    notification = provider().verify_notification(body=form(signed(notification_fields())), headers=HEADERS)

    assert notification.provider == "alipay"
    assert notification.event_id == "ac05099524730693a8b330c5ecf72da9786"
    assert notification.out_trade_no == "FW20240501000001"
    assert notification.provider_trade_no == "2024050122001400000000000001"
    assert notification.amount_fen == 500
    assert notification.paid is True
    assert notification.kind == "payment"
    assert notification.app_id == APP_ID
    assert notification.paid_at is not None and notification.paid_at.isoformat() == "2024-05-01T12:00:04+08:00"


@pytest.mark.parametrize(
    ("total_amount", "fen"), [("0.01", 1), ("5.00", 500), ("1234.50", 123450), ("0.10", 10), ("99999.99", 9999999)]
)
def test_amount_parses_exactly_to_fen(total_amount, fen):
    body = form(signed(notification_fields(total_amount=total_amount)))

    assert provider().verify_notification(body=body, headers=HEADERS).amount_fen == fen


@pytest.mark.parametrize(
    ("trade_status", "paid"),
    [("TRADE_SUCCESS", True), ("TRADE_FINISHED", True), ("WAIT_BUYER_PAY", False), ("TRADE_CLOSED", False)],
)
def test_only_success_and_finished_mean_paid(trade_status, paid):
    body = form(signed(notification_fields(trade_status=trade_status)))

    notification = provider().verify_notification(body=body, headers=HEADERS)

    assert notification.paid is paid and notification.trade_status == trade_status


def test_raw_masks_buyer_and_signature():
    raw = provider().verify_notification(body=form(signed(notification_fields())), headers=HEADERS).raw

    assert raw["buyer_id"] == "***6880"
    assert raw["sign"].startswith("***") and len(raw["sign"]) == 7
    assert raw["total_amount"] == "5.00"


def test_gbk_notification_verifies():
    fields = signed(notification_fields(charset="gbk"), charset="gbk")

    notification = provider().verify_notification(body=form(fields, charset="gbk"), headers=HEADERS)

    assert notification.raw["subject"] == "入党申请书范文"


def test_refund_notification_is_not_a_payment():
    fields = notification_fields(out_biz_no="FW20240501000001R1", refund_fee="2.00", gmt_refund="2024-05-02 09:00:00.000")

    notification = provider().verify_notification(body=form(signed(fields)), headers=HEADERS)

    assert notification.kind == "refund" and notification.paid is False
    assert notification.refund_request_no == "FW20240501000001R1"


def rejected(body: bytes) -> str:
    with pytest.raises(NotificationRejected) as caught:
        provider().verify_notification(body=body, headers=HEADERS)
    return caught.value.reason


def test_forged_signature_is_rejected():
    fields = {**notification_fields(), "sign": base64.b64encode(b"\x00" * 256).decode()}

    assert "signature" in rejected(form(fields))


@pytest.mark.parametrize(
    ("field", "value"), [("total_amount", "0.01"), ("out_trade_no", "FW20240501000002"), ("trade_status", "TRADE_SUCCESS ")]
)
def test_field_tampered_after_signing_is_rejected(field, value):
    fields = signed(notification_fields())
    fields[field] = value

    assert "signature" in rejected(form(fields))


def test_field_added_after_signing_is_rejected():
    fields = {**signed(notification_fields()), "refund_fee": "5.00"}

    assert "signature" in rejected(form(fields))


def test_genuinely_signed_notification_for_another_app_is_rejected():
    assert "app_id" in rejected(form(signed(notification_fields(app_id="2021000000000999"))))


def test_notification_signed_with_our_app_key_instead_of_alipays_is_rejected():
    assert "signature" in rejected(form(signed(notification_fields(), role=testkeys.APP)))


def test_notification_signed_by_a_stranger_is_rejected():
    assert "signature" in rejected(form(signed(notification_fields(), role=testkeys.STRANGER)))


def test_missing_sign_is_rejected():
    assert rejected(form(notification_fields())) == "missing sign"


def test_rsa1_sign_type_is_rejected():
    assert "RSA2" in rejected(form(signed(notification_fields(sign_type="RSA"))))


def test_field_sent_twice_is_rejected():
    body = form(signed(notification_fields())) + b"&total_amount=0.01"

    assert "more than once" in rejected(body)


@pytest.mark.parametrize("amount", ["5.001", "-5.00", "5,00", "1e3", ""])
def test_unparseable_amount_is_rejected_even_when_signed(amount):
    reason = rejected(form(signed(notification_fields(total_amount=amount))))

    assert "total_amount" in reason


def test_missing_notify_id_is_rejected_even_when_signed():
    fields = notification_fields()
    del fields["notify_id"]

    assert "notify_id" in rejected(form(signed(fields)))


@pytest.mark.parametrize("body", [b"", b"not a form", b"\xff\xfe", b"sign=%ZZ"])
def test_garbage_is_rejected(body):
    rejected(body)


def test_replies_are_plain_success_and_fail():
    assert provider().notification_success_response() == (200, "text/plain; charset=utf-8", b"success")
    assert provider().notification_failure_response("bad signature") == (200, "text/plain; charset=utf-8", b"fail")


# ---- page and wap pay ---------------------------------------------------------------------------


def redirect_params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def app_signature_valid(params: dict[str, str]) -> bool:
    """Alipay's check of our request: every parameter except sign, sorted, with OUR app public key."""
    message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign").encode()
    try:
        testkeys.public(testkeys.APP).verify(base64.b64decode(params["sign"]), message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def test_page_pay_builds_a_signed_redirect_to_the_gateway():
    start = provider().start_payment(
        out_trade_no="FW20240501000001",
        amount_fen=550,
        subject="入党申请书范文",
        notify_url="https://fanwen.example/payments/alipay/notify/",
        return_url="https://fanwen.example/orders/FW20240501000001/",
        channel="page",
    )

    assert start.qr_code_url is None and start.redirect_url is not None
    assert start.redirect_url.startswith("https://openapi.alipay.com/gateway.do?")
    params = redirect_params(start.redirect_url)
    assert params["method"] == "alipay.trade.page.pay" and params["app_id"] == APP_ID
    assert params["sign_type"] == "RSA2" and params["notify_url"].endswith("/alipay/notify/")
    biz = json.loads(params["biz_content"])
    assert biz == {
        "out_trade_no": "FW20240501000001",
        "total_amount": "5.50",
        "subject": "入党申请书范文",
        "product_code": "FAST_INSTANT_TRADE_PAY",
    }
    assert app_signature_valid(params)


def test_wap_pay_uses_the_wap_method_and_an_expiry():
    start = provider().start_payment(
        out_trade_no="FW20240501000001",
        amount_fen=1,
        subject="范文",
        notify_url="https://fanwen.example/n/",
        return_url="https://fanwen.example/r/",
        channel="wap",
        expires_at=datetime(2024, 5, 1, 4, 30, tzinfo=UTC),
    )

    params = redirect_params(start.redirect_url or "")
    biz = json.loads(params["biz_content"])
    assert params["method"] == "alipay.trade.wap.pay"
    assert biz["product_code"] == "QUICK_WAP_WAY" and biz["total_amount"] == "0.01"
    assert biz["time_expire"] == "2024-05-01 12:30:00"  # Beijing time
    assert app_signature_valid(params)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"channel": "native"}, "channel"),
        ({"amount_fen": 0}, "amount_fen"),
        ({"amount_fen": 5.0}, "amount_fen"),
        ({"amount_fen": True}, "amount_fen"),
        ({"out_trade_no": "x"}, "out_trade_no"),
        ({"out_trade_no": "FW 2024&sign=1"}, "out_trade_no"),
    ],
)
def test_start_payment_refuses_bad_requests(change, message):
    request = {
        "out_trade_no": "FW20240501000001",
        "amount_fen": 500,
        "subject": "范文",
        "notify_url": "https://fanwen.example/n/",
        "return_url": "https://fanwen.example/r/",
        "channel": "page",
    } | change

    with pytest.raises(ValueError, match=message):
        provider().start_payment(**request)


# ---- refunds and queries against the stand-in gateway -------------------------------------------


@pytest.fixture
def gateway() -> Iterator[AlipayGatewayStandIn]:
    with AlipayGatewayStandIn(
        app_public_key=testkeys.public(testkeys.APP), app_id=APP_ID, alipay_key=testkeys.key(testkeys.ALIPAY)
    ) as standin:
        yield standin  # type: ignore[misc]


def refund(gateway_url: str, **change: Any) -> RefundResult:
    request: dict[str, Any] = {
        "out_trade_no": "FW20240501000001",
        "out_request_no": "FW20240501000001R1",
        "refund_fen": 150,
        "total_fen": 500,
        "reason": "用户申请退款",
    } | change
    return provider(gateway_url, timeout=1.0).refund(**request)


def test_refund_is_done_when_alipay_reports_fund_change(gateway):
    result = refund(gateway.gateway)

    assert result.status == "done" and result.provider_ref == "2024FW20240501000001"
    [seen] = gateway.seen
    assert seen.signature_ok and seen.params["method"] == "alipay.trade.refund"
    assert json.loads(seen.params["biz_content"]) == {
        "out_trade_no": "FW20240501000001",
        "out_request_no": "FW20240501000001R1",
        "refund_amount": "1.50",
        "refund_reason": "用户申请退款",
    }


def test_refund_without_fund_change_asks_the_refund_query(gateway):
    gateway.fund_change = "N"

    assert refund(gateway.gateway).status == "done"
    assert [s.params["method"] for s in gateway.seen] == ["alipay.trade.refund", "alipay.trade.fastpay.refund.query"]


def test_refund_stays_pending_until_the_query_confirms(gateway):
    gateway.fund_change, gateway.refund_query_status = "N", None

    result = refund(gateway.gateway)

    assert result.status == "pending"


def test_refund_answer_with_a_bad_signature_is_rejected(gateway):
    gateway.sign_with = testkeys.key(testkeys.STRANGER)

    with pytest.raises(ProviderResponseRejected):
        refund(gateway.gateway)


def test_refund_answer_signed_with_our_own_key_is_rejected(gateway):
    gateway.sign_with = testkeys.key(testkeys.APP)

    with pytest.raises(ProviderResponseRejected):
        refund(gateway.gateway)


def test_refund_answer_about_another_trade_is_rejected(gateway):
    gateway.answer_out_trade_no = "FW20240501009999"

    with pytest.raises(ProviderResponseRejected):
        refund(gateway.gateway)


def test_unsigned_error_answer_means_unavailable(gateway):
    gateway.unsigned = True

    with pytest.raises(ProviderUnavailable):
        refund(gateway.gateway)


def test_business_refusal_is_refused(gateway):
    gateway.business_error = {"code": "40004", "sub_code": "ACQ.TRADE_STATUS_ERROR", "sub_msg": "交易状态不合法"}

    with pytest.raises(ProviderRefused) as caught:
        refund(gateway.gateway)

    assert "ACQ.TRADE_STATUS_ERROR" in caught.value.detail


def test_alipay_system_error_means_unavailable(gateway):
    gateway.business_error = {"code": "40004", "sub_code": "ACQ.SYSTEM_ERROR", "sub_msg": "系统错误"}

    with pytest.raises(ProviderUnavailable):
        refund(gateway.gateway)


def test_refund_with_gateway_down_is_unavailable_with_a_clear_message():
    with closed_port() as url, pytest.raises(ProviderUnavailable) as caught:
        refund(f"{url}/gateway.do")

    assert str(caught.value) == "支付宝暂时无法连接，请稍后再试，或选择其他支付方式。"
    assert "refused" in caught.value.detail.lower()


def test_refund_larger_than_the_payment_is_refused_before_sending(gateway):
    with pytest.raises(ValueError, match="exceeds"):
        refund(gateway.gateway, refund_fen=501)

    assert gateway.seen == []


def test_query_reports_a_paid_trade(gateway):
    gateway.trades["FW20240501000001"] = {
        "trade_no": "2024050122001400000000000001",
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "5.00",
        "send_pay_date": "2024-05-01 12:00:04",
        "buyer_user_id": "2088102177846880",
    }

    found = provider(gateway.gateway).query("FW20240501000001")

    assert found is not None and found.paid and found.amount_fen == 500
    assert found.event_id == "query:2024050122001400000000000001:TRADE_SUCCESS"
    assert found.raw["buyer_user_id"] == "***6880"


def test_query_of_an_unknown_trade_is_none(gateway):
    assert provider(gateway.gateway).query("FW20240501000404") is None
