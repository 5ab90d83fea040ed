"""Configure the real Alipay and WeChat Pay providers with test keys, and build their
notifications for an order, signed as the providers sign them."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from fanwen.commerce.models import Order
from fanwen.commerce.providers.alipay_signing import alipay_sign, beijing_time
from fanwen.core.money import fen_to_yuan
from tests.commerce import testkeys
from tests.commerce.standins import wechatpay_signature_headers
from tests.commerce.test_provider_wechatpay import (
    APIV3_KEY,
    APP_ID,
    MCH_ID,
    MERCHANT_SERIAL,
    PLATFORM_KEY_ID,
    encrypt,
)

ALIPAY_APP_ID = "2021000000000001"


@pytest.fixture
def real_providers(settings, tmp_path) -> Any:
    settings.FANWEN_ALIPAY_APP_ID = ALIPAY_APP_ID
    settings.FANWEN_ALIPAY_PRIVATE_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.APP)
    settings.FANWEN_ALIPAY_PUBLIC_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.ALIPAY, public_only=True)
    settings.FANWEN_ALIPAY_GATEWAY = "http://127.0.0.1:9/gateway.do"  # nothing listens: unreachable
    settings.FANWEN_WECHATPAY_MCH_ID = MCH_ID
    settings.FANWEN_WECHATPAY_APPID = APP_ID
    settings.FANWEN_WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.FANWEN_WECHATPAY_PRIVATE_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.MERCHANT)
    settings.FANWEN_WECHATPAY_CERT_SERIAL = MERCHANT_SERIAL
    settings.FANWEN_WECHATPAY_PUBLIC_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.PLATFORM, public_only=True)
    settings.FANWEN_WECHATPAY_PUBLIC_KEY_ID = PLATFORM_KEY_ID
    settings.FANWEN_WECHATPAY_GATEWAY = "http://127.0.0.1:9"
    return settings


def alipay_notification(order: Order, *, role: str = testkeys.ALIPAY, notify_id: str | None = None, **change: str) -> bytes:
    now = beijing_time(datetime.now().astimezone())
    fields = {
        "notify_time": now, "notify_type": "trade_status_sync", "notify_id": notify_id or uuid.uuid4().hex,
        "app_id": ALIPAY_APP_ID, "charset": "utf-8", "version": "1.0", "sign_type": "RSA2",
        "trade_no": f"2024{order.number[-12:]}", "out_trade_no": order.number, "trade_status": "TRADE_SUCCESS",
        "total_amount": fen_to_yuan(order.amount_fen), "receipt_amount": fen_to_yuan(order.amount_fen),
        "buyer_id": "2088102122524333", "seller_id": "2088101106499364", "gmt_payment": now,
    } | change
    fields["sign"] = alipay_sign(fields, testkeys.key(role))
    return urlencode(fields).encode()


def wechat_notification(order: Order, *, age_seconds: int = 0, event_id: str | None = None, **change: Any) -> tuple[bytes, dict[str, str]]:
    import json

    plaintext = {
        "appid": APP_ID, "mchid": MCH_ID, "out_trade_no": order.number,
        "transaction_id": f"42000{order.number[-12:]}", "trade_type": "NATIVE", "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功", "success_time": "2026-11-22T12:00:04+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": order.amount_fen, "payer_total": order.amount_fen, "currency": "CNY", "payer_currency": "CNY"},
    } | change
    envelope = {
        "id": event_id or f"EV-{uuid.uuid4().hex}", "create_time": "2026-11-22T12:00:05+08:00",
        "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
        "resource": encrypt(plaintext),
    }
    body = json.dumps(envelope, ensure_ascii=False).encode()
    headers = wechatpay_signature_headers(body, key=testkeys.key(testkeys.PLATFORM), serial=PLATFORM_KEY_ID,
                                          timestamp=int(time.time()) - age_seconds)
    return body, headers


def wechat_headers_for_client(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
