"""微信支付 provider: notifications encrypted and signed with test keys; orders, refunds and
queries against a local stand-in of the API v3 that checks our signatures and signs its answers."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fanwen.commerce.providers import (
    NotificationRejected,
    ProviderRefused,
    ProviderResponseRejected,
    ProviderUnavailable,
    RefundResult,
)
from fanwen.commerce.providers.wechatpay import WechatPayConfig, WechatPayProvider
from tests.commerce import testkeys
from tests.commerce.standins import WechatPayStandIn, closed_port, wechatpay_signature_headers

MCH_ID = "1900000001"
APP_ID = "wxd678efh567hg6787"
APIV3_KEY = "a12d3924fd499edac8a5efc0f5a1c2b3"  # 32 bytes
OTHER_APIV3_KEY = "b" * 32
MERCHANT_SERIAL = "444F4864EA9B34415A3E1B8C2D5F6A7B"
PLATFORM_KEY_ID = "PUB_KEY_ID_0119000000012024050100000000000001"


def config(gateway: str = "https://api.mch.weixin.qq.com", **change: Any) -> WechatPayConfig:
    values: dict[str, Any] = {
        "mch_id": MCH_ID,
        "app_id": APP_ID,
        "apiv3_key": APIV3_KEY,
        "merchant_private_key": testkeys.key(testkeys.MERCHANT),
        "merchant_cert_serial": MERCHANT_SERIAL,
        "platform_public_key": testkeys.public(testkeys.PLATFORM),
        "platform_public_key_id": PLATFORM_KEY_ID,
        "gateway": gateway,
        "timeout_seconds": 1.0,
    } | change
    return WechatPayConfig(**values)


def provider(gateway: str = "https://api.mch.weixin.qq.com", **change: Any) -> WechatPayProvider:
    return WechatPayProvider(config(gateway, **change))


def transaction(**change: Any) -> dict[str, Any]:
    return {
        "appid": APP_ID,
        "mchid": MCH_ID,
        "out_trade_no": "FW20240501000001",
        "transaction_id": "4200000000202405010000000001",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "success_time": "2024-05-01T12:00:04+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 500, "payer_total": 500, "currency": "CNY", "payer_currency": "CNY"},
    } | change


def encrypt(plaintext: dict[str, Any], *, key: str = APIV3_KEY, nonce: str = "fdasflkja484", aad: str = "transaction") -> dict[str, str]:
    data = json.dumps(plaintext, ensure_ascii=False).encode()
    ciphertext = AESGCM(key.encode()).encrypt(nonce.encode(), data, aad.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": aad,
        "nonce": nonce,
        "original_type": "transaction",
    }


def notification(
    resource: dict[str, str] | None = None,
    *,
    role: str = testkeys.PLATFORM,
    serial: str = PLATFORM_KEY_ID,
    age_seconds: int = 0,
    event_type: str = "TRANSACTION.SUCCESS",
) -> tuple[bytes, dict[str, str]]:
    """What WeChat Pay POSTs to notify_url, signed as its documentation says."""
    envelope = {
        "id": "EV-2018022511223320873",
        "create_time": "2024-05-01T12:00:05+08:00",
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "支付成功",
        "resource": resource or encrypt(transaction()),
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    headers = wechatpay_signature_headers(
        body, key=testkeys.key(role), serial=serial, timestamp=int(time.time()) - age_seconds
    )
    return body, headers


# ---- notifications ------------------------------------------------------------------------------


def test_genuine_notification_decrypts_and_verifies():
    body, headers = notification()

    verified = provider().verify_notification(body=body, headers=headers)

    assert verified.provider == "wechatpay"
    assert verified.event_id == "EV-2018022511223320873"
    assert verified.out_trade_no == "FW20240501000001"
    assert verified.provider_trade_no == "4200000000202405010000000001"
    assert verified.amount_fen == 500 and verified.paid is True and verified.kind == "payment"
    assert verified.app_id == APP_ID and verified.trade_status == "SUCCESS"
    assert verified.paid_at is not None and verified.paid_at.isoformat() == "2024-05-01T12:00:04+08:00"


def test_raw_keeps_the_event_and_masks_the_payer():
    body, headers = notification()

    raw = provider().verify_notification(body=body, headers=headers).raw

    assert raw["event_type"] == "TRANSACTION.SUCCESS"
    assert raw["resource"]["payer"]["openid"] == "***eS6o"
    assert "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" not in json.dumps(raw)


def test_headers_are_found_whatever_their_case():
    body, headers = notification()

    lowered = {name.lower(): value for name, value in headers.items()}

    assert provider().verify_notification(body=body, headers=lowered).paid


def test_unpaid_trade_state_is_not_paid():
    body, headers = notification(encrypt(transaction(trade_state="NOTPAY", transaction_id="")))

    verified = provider().verify_notification(body=body, headers=headers)

    assert verified.paid is False and verified.trade_status == "NOTPAY"


def test_refund_notification_is_not_a_payment():
    refund = {
        "mchid": MCH_ID,
        "out_trade_no": "FW20240501000001",
        "transaction_id": "4200000000202405010000000001",
        "out_refund_no": "FW20240501000001R1",
        "refund_id": "50000000382019052709732678859",
        "refund_status": "SUCCESS",
        "amount": {"total": 500, "refund": 150, "payer_total": 500, "payer_refund": 150},
    }
    resource = encrypt(refund, aad="refund") | {"original_type": "refund"}
    body, headers = notification(resource, event_type="REFUND.SUCCESS")

    verified = provider().verify_notification(body=body, headers=headers)

    assert verified.kind == "refund" and verified.paid is False
    assert verified.refund_request_no == "FW20240501000001R1"


def rejected(body: bytes, headers: dict[str, str]) -> str:
    with pytest.raises(NotificationRejected) as caught:
        provider().verify_notification(body=body, headers=headers)
    return caught.value.reason


def test_wrong_serial_is_rejected():
    body, headers = notification(serial="PUB_KEY_ID_0119000000012024050100000000000999")

    assert "Wechatpay-Serial" in rejected(body, headers)


def test_signature_by_another_key_under_our_serial_is_rejected():
    body, headers = notification(role=testkeys.STRANGER)

    assert "signature" in rejected(body, headers)


def test_signature_by_the_merchant_key_is_rejected():
    body, headers = notification(role=testkeys.MERCHANT)

    assert "signature" in rejected(body, headers)


def test_body_changed_after_signing_is_rejected():
    body, headers = notification()

    assert "signature" in rejected(body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESS "), headers)


@pytest.mark.parametrize("age_seconds", [6 * 60, -6 * 60], ids=["six-minutes-old", "six-minutes-ahead"])
def test_timestamp_more_than_five_minutes_away_is_rejected(age_seconds):
    body, headers = notification(age_seconds=age_seconds)

    assert "Timestamp" in rejected(body, headers)


def test_timestamp_four_minutes_old_is_accepted():
    body, headers = notification(age_seconds=4 * 60)

    assert provider().verify_notification(body=body, headers=headers).paid


@pytest.mark.parametrize("missing", ["Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial"])
def test_missing_header_is_rejected(missing):
    body, headers = notification()
    del headers[missing]

    assert "missing" in rejected(body, headers)


def test_tampered_ciphertext_is_rejected_even_when_the_body_is_signed():
    resource = encrypt(transaction())
    raw = bytearray(base64.b64decode(resource["ciphertext"]))
    raw[10] ^= 0x01
    body, headers = notification(resource | {"ciphertext": base64.b64encode(bytes(raw)).decode()})

    assert "decrypt" in rejected(body, headers)


def test_resource_encrypted_with_another_apiv3_key_is_rejected():
    body, headers = notification(encrypt(transaction(), key=OTHER_APIV3_KEY))

    assert "decrypt" in rejected(body, headers)


def test_changed_associated_data_is_rejected():
    resource = encrypt(transaction()) | {"associated_data": "refund"}
    body, headers = notification(resource)

    assert "decrypt" in rejected(body, headers)


@pytest.mark.parametrize(("field", "value"), [("appid", "wx0000000000000000"), ("mchid", "1900000999")])
def test_genuine_notification_for_another_merchant_is_rejected(field, value):
    body, headers = notification(encrypt(transaction(**{field: value})))

    assert "not ours" in rejected(body, headers)


@pytest.mark.parametrize("total", [5.0, "500", True, -1, None])
def test_amount_that_is_not_whole_fen_is_rejected(total):
    body, headers = notification(encrypt(transaction(amount={"total": total, "currency": "CNY"})))

    assert "amount.total" in rejected(body, headers)


def test_replies_are_204_and_fail_json():
    assert provider().notification_success_response() == (204, "application/json", b"")
    status, content_type, body = provider().notification_failure_response("签名错误")
    assert status == 400 and content_type == "application/json"
    assert json.loads(body) == {"code": "FAIL", "message": "签名错误"}


def test_apiv3_key_must_be_32_bytes():
    with pytest.raises(ValueError, match="32 bytes"):
        config(apiv3_key="short")


# ---- orders, refunds, queries against the stand-in ----------------------------------------------


@pytest.fixture
def api() -> Iterator[WechatPayStandIn]:
    with WechatPayStandIn(
        merchant_public_key=testkeys.public(testkeys.MERCHANT),
        mch_id=MCH_ID,
        merchant_serial=MERCHANT_SERIAL,
        platform_key=testkeys.key(testkeys.PLATFORM),
        platform_key_id=PLATFORM_KEY_ID,
    ) as standin:
        yield standin  # type: ignore[misc]


def start(gateway: str, channel: str = "native", **change: Any) -> Any:
    request: dict[str, Any] = {
        "out_trade_no": "FW20240501000001",
        "amount_fen": 500,
        "subject": "入党申请书范文",
        "notify_url": "https://fanwen.example/payments/wechatpay/notify/",
        "return_url": "https://fanwen.example/orders/FW20240501000001/",
        "channel": channel,
    } | change
    return provider(gateway).start_payment(**request)


def test_native_order_returns_the_code_url(api):
    started = start(api.url)

    assert started.qr_code_url == "weixin://wxpay/bizpayurl?pr=FW20240501000001" and started.redirect_url is None
    [seen] = api.seen
    assert seen.signature_ok and seen.method == "POST" and seen.path == "/v3/pay/transactions/native"
    assert seen.params == {
        "appid": APP_ID,
        "mchid": MCH_ID,
        "description": "入党申请书范文",
        "out_trade_no": "FW20240501000001",
        "notify_url": "https://fanwen.example/payments/wechatpay/notify/",
        "amount": {"total": 500, "currency": "CNY"},
    }


def test_h5_order_redirects_and_returns_to_us(api):
    started = start(api.url, "h5", client_ip="203.0.113.7")

    assert started.redirect_url.startswith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1&redirect_url=")
    assert "https%3A%2F%2Ffanwen.example%2Forders%2FFW20240501000001%2F" in started.redirect_url
    assert api.seen[0].params["scene_info"] == {"payer_client_ip": "203.0.113.7", "h5_info": {"type": "Wap"}}


def test_h5_order_needs_the_client_ip(api):
    with pytest.raises(ValueError, match="client_ip"):
        start(api.url, "h5")

    assert api.seen == []


def test_stand_in_refuses_a_request_signed_with_the_wrong_merchant_key(api):
    with pytest.raises(ProviderRefused) as caught:
        WechatPayProvider(config(api.url, merchant_private_key=testkeys.key(testkeys.STRANGER))).start_payment(
            out_trade_no="FW20240501000001", amount_fen=500, subject="范文", notify_url="https://f.example/n/",
            return_url="https://f.example/r/", channel="native",
        )

    assert api.seen[0].signature_ok is False and "SIGN_ERROR" in caught.value.detail


@pytest.mark.parametrize(
    "misbehave",
    [
        pytest.param({"sign_with": testkeys.key(testkeys.STRANGER)}, id="bad-signature"),
        pytest.param({"sign_with": testkeys.key(testkeys.MERCHANT)}, id="signed-with-our-key"),
        pytest.param({"answer_serial": "PUB_KEY_ID_OTHER"}, id="wrong-serial"),
        pytest.param({"timestamp_offset": -6 * 60}, id="stale-timestamp"),
        pytest.param({"tamper_after_signing": True}, id="tampered-body"),
    ],
)
def test_answer_that_fails_verification_is_rejected(api, misbehave):
    for knob, value in misbehave.items():
        setattr(api, knob, value)

    with pytest.raises(ProviderResponseRejected) as caught:
        start(api.url)

    assert str(caught.value) == "微信支付暂时无法连接，请稍后再试，或选择其他支付方式。"


def test_api_down_is_unavailable_with_a_clear_message():
    with closed_port() as url, pytest.raises(ProviderUnavailable) as caught:
        start(url)

    assert str(caught.value) == "微信支付暂时无法连接，请稍后再试，或选择其他支付方式。"
    assert "refused" in caught.value.detail.lower()


def test_api_that_never_answers_is_unavailable(api):
    api.hang = True

    with pytest.raises(ProviderUnavailable) as caught:
        provider(api.url, timeout_seconds=0.2).start_payment(
            out_trade_no="FW20240501000001", amount_fen=500, subject="范文", notify_url="https://f.example/n/",
            return_url="https://f.example/r/", channel="native",
        )

    assert "timed out" in caught.value.detail


@pytest.mark.parametrize("error", [(500, {"code": "SYSTEM_ERROR", "message": "系统错误"}), (429, {"code": "FREQUENCY_LIMITED", "message": "频率超限"})])
def test_server_errors_are_unavailable(api, error):
    api.error = error

    with pytest.raises(ProviderUnavailable) as caught:
        start(api.url)

    assert not isinstance(caught.value, ProviderResponseRejected)


def test_client_errors_are_refused(api):
    api.error = (400, {"code": "PARAM_ERROR", "message": "参数错误"})

    with pytest.raises(ProviderRefused, match="微信支付拒绝"):
        start(api.url)


def refund(gateway: str, **change: Any) -> RefundResult:
    request: dict[str, Any] = {
        "out_trade_no": "FW20240501000001",
        "out_request_no": "FW20240501000001R1",
        "refund_fen": 150,
        "total_fen": 500,
        "reason": "用户申请退款",
    } | change
    return provider(gateway).refund(**request)


def test_refund_success_is_done(api):
    result = refund(api.url)

    assert result == RefundResult(status="done", provider_ref="5000000001", detail="SUCCESS")
    [seen] = api.seen
    assert seen.signature_ok and seen.path == "/v3/refund/domestic/refunds"
    assert seen.params == {
        "out_trade_no": "FW20240501000001",
        "out_refund_no": "FW20240501000001R1",
        "amount": {"refund": 150, "total": 500, "currency": "CNY"},
        "reason": "用户申请退款",
    }


def test_refund_processing_is_pending(api):
    api.refund_status = "PROCESSING"

    assert refund(api.url).status == "pending"


def test_refund_closed_is_refused(api):
    api.refund_status = "CLOSED"

    with pytest.raises(ProviderRefused):
        refund(api.url)


def test_retry_of_a_refund_the_api_refuses_to_repeat_reads_its_status(api):
    assert refund(api.url).status == "done"
    api.refund_create_error = (400, {"code": "INVALID_REQUEST", "message": "订单已全额退款"})

    assert refund(api.url).status == "done"
    assert [s.method for s in api.seen] == ["POST", "POST", "GET"]
    assert api.seen[-1].path == "/v3/refund/domestic/refunds/FW20240501000001R1"


def test_refund_refused_outright_stays_refused(api):
    api.refund_create_error = (403, {"code": "USER_ACCOUNT_ABNORMAL", "message": "退款请求失败"})

    with pytest.raises(ProviderRefused):
        refund(api.url)


def test_refund_answer_with_a_bad_signature_is_rejected(api):
    api.sign_with = testkeys.key(testkeys.STRANGER)

    with pytest.raises(ProviderResponseRejected):
        refund(api.url)


def test_refund_with_api_down_is_unavailable():
    with closed_port() as url, pytest.raises(ProviderUnavailable, match="微信支付暂时无法连接"):
        refund(url)


def test_query_reports_the_order(api):
    api.transactions["FW20240501000001"] = transaction()

    found = provider(api.url).query("FW20240501000001")

    assert found is not None and found.paid and found.amount_fen == 500
    assert found.event_id == "query:4200000000202405010000000001:SUCCESS"
    assert api.seen[0].signature_ok and api.seen[0].path == f"/v3/pay/transactions/out-trade-no/FW20240501000001?mchid={MCH_ID}"


def test_query_of_an_unknown_order_is_none(api):
    assert provider(api.url).query("FW20240501000404") is None


def test_query_answer_about_another_merchant_is_rejected(api):
    api.transactions["FW20240501000001"] = transaction(mchid="1900000999")

    with pytest.raises(ProviderResponseRejected):
        provider(api.url).query("FW20240501000001")
