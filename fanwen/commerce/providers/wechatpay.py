"""微信支付 API v3: Native and H5 orders, notifications, refunds and order queries.

Platform-public-key mode only: answers and notifications must be signed by the one platform key
whose id (FANWEN_WECHATPAY_PUBLIC_KEY_ID) they name in Wechatpay-Serial.  No certificate download.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from fanwen.commerce.providers.alipay_signing import BEIJING
from fanwen.commerce.providers.base import (
    HttpReply,
    NotificationRejected,
    PaymentProvider,
    PaymentStart,
    ProviderRefused,
    ProviderResponseRejected,
    ProviderUnavailable,
    RefundResult,
    VerifiedNotification,
    check_payment_request,
    check_refund_request,
)
from fanwen.commerce.providers.masking import masked
from fanwen.commerce.providers.wechatpay_signing import (
    SignatureProblem,
    authorization_header,
    decrypt_resource,
    verify_wechatpay_signature,
)

WECHATPAY_UNAVAILABLE = "微信支付暂时无法连接，请稍后再试，或选择其他支付方式。"
WECHATPAY_REFUSED = "微信支付拒绝了这笔请求，请联系客服处理。"
_DESCRIPTION_MAX = 127
# Temporary conditions: the request may succeed later (NOT_ENOUGH: merchant balance too low to refund).
_RETRYABLE_CODES = frozenset({"SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR", "NOT_ENOUGH"})


class _Malformed(ValueError):
    """A signed message whose content is not a transaction of ours."""


@dataclass(frozen=True)
class WechatPayConfig:
    mch_id: str
    app_id: str
    apiv3_key: str = field(repr=False)  # 32 bytes: decrypts notification resources
    merchant_private_key: rsa.RSAPrivateKey = field(repr=False)  # ours: signs our requests
    merchant_cert_serial: str
    platform_public_key: rsa.RSAPublicKey = field(repr=False)  # WeChat Pay's: verifies what it sends
    platform_public_key_id: str  # e.g. PUB_KEY_ID_0114..., the Wechatpay-Serial it signs with
    gateway: str = "https://api.mch.weixin.qq.com"
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if len(self.apiv3_key.encode("utf-8")) != 32:
            raise ValueError("the WeChat Pay APIv3 key must be 32 bytes")


@dataclass(frozen=True)
class _Answer:
    status: int
    data: dict[str, Any]


class WechatPayProvider(PaymentProvider):
    name = "wechatpay"
    label = "微信支付"
    channels = ("native", "h5")

    def __init__(self, config: WechatPayConfig) -> None:
        self.config = config
        self._platform_keys = {config.platform_public_key_id: config.platform_public_key}

    # ---- paying ---------------------------------------------------------------------------------

    def start_payment(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        subject: str,
        notify_url: str,
        return_url: str,
        channel: str,
        client_ip: str | None = None,
        expires_at: datetime | None = None,
    ) -> PaymentStart:
        """Native: a ``code_url`` to show as a QR code.  H5: a redirect to ``h5_url`` (needs client_ip)."""
        check_payment_request(out_trade_no=out_trade_no, amount_fen=amount_fen, channel=channel, channels=self.channels)
        order: dict[str, Any] = {
            "appid": self.config.app_id,
            "mchid": self.config.mch_id,
            "description": subject[:_DESCRIPTION_MAX],
            "out_trade_no": out_trade_no,
            "notify_url": notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
        }
        if expires_at is not None:
            order["time_expire"] = expires_at.astimezone(BEIJING).isoformat(timespec="seconds")
        if channel == "h5":
            if not client_ip:
                raise ValueError("WeChat H5 pay needs the buyer's client_ip")
            order["scene_info"] = {"payer_client_ip": client_ip, "h5_info": {"type": "Wap"}}
        answer = self._request("POST", f"/v3/pay/transactions/{channel}", order)
        self._refuse_unless_ok(answer)
        if channel == "native":
            return PaymentStart(qr_code_url=self._url_in(answer, "code_url"))
        return PaymentStart(redirect_url=f"{self._url_in(answer, 'h5_url')}&redirect_url={quote(return_url, safe='')}")

    # ---- notifications --------------------------------------------------------------------------

    def verify_notification(self, *, body: bytes, headers: Mapping[str, str]) -> VerifiedNotification:
        try:
            verify_wechatpay_signature(headers=headers, body=body, platform_keys=self._platform_keys)
            envelope = json.loads(body)
            if not isinstance(envelope, dict):
                raise NotificationRejected("body is not a JSON object")
            if envelope.get("resource_type") != "encrypt-resource" or not isinstance(envelope.get("resource"), dict):
                raise NotificationRejected("no encrypted resource")
            data = json.loads(decrypt_resource(envelope["resource"], apiv3_key=self.config.apiv3_key))
        except SignatureProblem as exc:
            raise NotificationRejected(str(exc)) from exc
        except ValueError as exc:  # JSON
            raise NotificationRejected(f"not JSON: {exc}") from exc
        event_id = envelope.get("id")
        if not isinstance(event_id, str) or not event_id:
            raise NotificationRejected("notification has no id")
        if not isinstance(data, dict):
            raise NotificationRejected("resource is not a JSON object")
        if data.get("mchid") != self.config.mch_id:
            raise NotificationRejected(f"mchid {data.get('mchid')!r} is not ours")
        raw = {key: envelope.get(key) for key in ("id", "create_time", "event_type", "resource_type", "summary")}
        raw["resource"] = masked(data)
        if envelope["resource"].get("original_type") == "refund" or "refund_status" in data:
            return self._refund_event(event_id, data, raw)
        try:
            return self._transaction(event_id=event_id, data=data, raw=raw)
        except _Malformed as exc:
            raise NotificationRejected(str(exc)) from exc

    def notification_success_response(self) -> HttpReply:
        return HttpReply(204, "application/json", b"")

    def notification_failure_response(self, reason: str) -> HttpReply:
        """WeChat Pay retries on any 4xx/5xx; the body must be ``{"code": "FAIL", "message": ...}``."""
        body = json.dumps({"code": "FAIL", "message": reason[:200] or "失败"}, ensure_ascii=False).encode("utf-8")
        return HttpReply(400, "application/json", body)

    # ---- refunds and queries --------------------------------------------------------------------

    def refund(
        self, *, out_trade_no: str, out_request_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        """/v3/refund/domestic/refunds with ``out_refund_no = out_request_no``.  If WeChat Pay refuses
        (e.g. a retry of a refund that already succeeded), the refund's own status decides."""
        check_refund_request(
            out_trade_no=out_trade_no, out_request_no=out_request_no, refund_fen=refund_fen, total_fen=total_fen
        )
        request = {
            "out_trade_no": out_trade_no,
            "out_refund_no": out_request_no,
            "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        }
        if reason:
            request["reason"] = reason[:80]
        answer = self._request("POST", "/v3/refund/domestic/refunds", request)
        try:
            self._refuse_unless_ok(answer)
        except ProviderRefused:
            existing = self._request("GET", f"/v3/refund/domestic/refunds/{quote(out_request_no, safe='')}", None)
            if existing.status != 200:
                raise
            answer = existing
        return self._refund_result(answer.data, out_request_no=out_request_no, refund_fen=refund_fen)

    def query(self, out_trade_no: str) -> VerifiedNotification | None:
        """The order as WeChat Pay sees it.  ``event_id`` is ``query:<transaction_id>:<trade_state>``."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}"
        answer = self._request("GET", path, None, query={"mchid": self.config.mch_id})
        if answer.status == 404:
            return None
        self._refuse_unless_ok(answer)
        data = answer.data
        event_id = f"query:{data.get('transaction_id') or out_trade_no}:{data.get('trade_state')}"
        try:
            found = self._transaction(event_id=event_id, data=data, raw=masked(data))
        except _Malformed as exc:
            raise _rejected_answer(str(exc)) from exc
        if found.out_trade_no != out_trade_no:
            raise _rejected_answer(f"answer is about {found.out_trade_no!r}, not {out_trade_no!r}")
        return found

    # ---- parsing --------------------------------------------------------------------------------

    def _transaction(self, *, event_id: str, data: dict[str, Any], raw: dict[str, Any]) -> VerifiedNotification:
        """A transaction object (notification resource or query answer) → VerifiedNotification."""
        if data.get("appid") != self.config.app_id:
            raise _Malformed(f"appid {data.get('appid')!r} is not ours")
        if data.get("mchid") != self.config.mch_id:
            raise _Malformed(f"mchid {data.get('mchid')!r} is not ours")
        out_trade_no, trade_state = data.get("out_trade_no"), data.get("trade_state")
        transaction_id = data.get("transaction_id", "")
        amount = data.get("amount")
        total = amount.get("total") if isinstance(amount, dict) else None
        if not (isinstance(out_trade_no, str) and out_trade_no and isinstance(trade_state, str) and trade_state):
            raise _Malformed("transaction lacks out_trade_no or trade_state")
        if not isinstance(transaction_id, str) or (trade_state == "SUCCESS" and not transaction_id):
            raise _Malformed("paid transaction lacks transaction_id")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise _Malformed(f"amount.total {total!r} is not a whole number of fen")
        if isinstance(amount, dict) and amount.get("currency", "CNY") != "CNY":
            raise _Malformed(f"currency {amount.get('currency')!r} is not CNY")
        return VerifiedNotification(
            provider="wechatpay",
            event_id=event_id,
            out_trade_no=out_trade_no,
            provider_trade_no=transaction_id,
            amount_fen=total,
            paid=trade_state == "SUCCESS",
            app_id=self.config.app_id,
            trade_status=trade_state,
            paid_at=_rfc3339_or_none(data.get("success_time")),
            raw=raw,
        )

    def _refund_event(self, event_id: str, data: dict[str, Any], raw: dict[str, Any]) -> VerifiedNotification:
        amount = data.get("amount")
        total = amount.get("total") if isinstance(amount, dict) else None
        fields = [data.get(key) for key in ("out_trade_no", "transaction_id", "out_refund_no", "refund_status")]
        if not all(isinstance(value, str) and value for value in fields):
            raise NotificationRejected("refund notification lacks out_trade_no, transaction_id, out_refund_no or refund_status")
        if isinstance(total, bool) or not isinstance(total, int):
            raise NotificationRejected(f"amount.total {total!r} is not a whole number of fen")
        return VerifiedNotification(
            provider="wechatpay",
            event_id=event_id,
            out_trade_no=data["out_trade_no"],
            provider_trade_no=data["transaction_id"],
            amount_fen=total,
            paid=False,
            app_id=self.config.app_id,
            trade_status=data["refund_status"],
            kind="refund",
            refund_request_no=data["out_refund_no"],
            raw=raw,
        )

    @staticmethod
    def _refund_result(data: Mapping[str, Any], *, out_request_no: str, refund_fen: int) -> RefundResult:
        if data.get("out_refund_no") != out_request_no:
            raise _rejected_answer(f"answer is about refund {data.get('out_refund_no')!r}, not {out_request_no!r}")
        amount = data.get("amount")
        if not isinstance(amount, dict) or amount.get("refund") != refund_fen:
            raise _rejected_answer(f"answer refunds {amount!r}, not {refund_fen} fen")
        status, refund_id = str(data.get("status", "")), str(data.get("refund_id", ""))
        if status == "SUCCESS":
            return RefundResult(status="done", provider_ref=refund_id, detail=status)
        if status in ("PROCESSING", "ABNORMAL"):  # ABNORMAL: needs a hand in the merchant platform
            return RefundResult(status="pending", provider_ref=refund_id, detail=status)
        raise ProviderRefused(WECHATPAY_REFUSED, detail=f"refund {refund_id} status {status!r}")

    @staticmethod
    def _url_in(answer: _Answer, key: str) -> str:
        url = answer.data.get(key)
        if not isinstance(url, str) or not url:
            raise _rejected_answer(f"answer lacks {key}")
        return url

    # ---- the gateway ----------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, payload: Mapping[str, Any] | None, *, query: Mapping[str, str] | None = None
    ) -> _Answer:
        """One signed call.  2xx answers must carry a valid platform signature; error answers are
        returned unverified (they can only ever make us refuse or retry, never confirm)."""
        path_with_query = f"{path}?{urlencode(query)}" if query else path
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "fanwen",
            "Wechatpay-Serial": self.config.platform_public_key_id,
            "Authorization": authorization_header(
                method=method,
                path_with_query=path_with_query,
                body=body,
                mch_id=self.config.mch_id,
                cert_serial=self.config.merchant_cert_serial,
                private_key=self.config.merchant_private_key,
            ),
        }
        url = self.config.gateway.rstrip("/") + path_with_query
        try:
            response = requests.request(
                method, url, data=body.encode("utf-8") or None, headers=headers, timeout=self.config.timeout_seconds
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(WECHATPAY_UNAVAILABLE, detail=f"{method} {url}: {exc}") from exc
        if 200 <= response.status_code < 300:
            try:
                verify_wechatpay_signature(headers=response.headers, body=response.content, platform_keys=self._platform_keys)
            except SignatureProblem as exc:
                raise _rejected_answer(f"{method} {path}: {exc}") from exc
        try:
            data = json.loads(response.content) if response.content else {}
        except ValueError as exc:
            raise _rejected_answer(f"{method} {path}: answer is not JSON") from exc
        if not isinstance(data, dict):
            raise _rejected_answer(f"{method} {path}: answer is not a JSON object")
        return _Answer(status=response.status_code, data=data)

    @staticmethod
    def _refuse_unless_ok(answer: _Answer) -> None:
        if 200 <= answer.status < 300:
            return
        code, message = str(answer.data.get("code", "")), str(answer.data.get("message", ""))
        detail = f"HTTP {answer.status} {code}: {message}"
        if answer.status >= 500 or answer.status == 429 or code in _RETRYABLE_CODES:
            raise ProviderUnavailable(WECHATPAY_UNAVAILABLE, detail=detail)
        raise ProviderRefused(WECHATPAY_REFUSED, detail=detail)


def _rejected_answer(detail: str) -> ProviderResponseRejected:
    return ProviderResponseRejected(WECHATPAY_UNAVAILABLE, detail=detail)


def _rfc3339_or_none(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
