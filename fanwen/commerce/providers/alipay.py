"""支付宝: page/wap pay, asynchronous notifications, refunds and trade queries (RSA2 only).

Outbound requests and the verification of their answers go through python-alipay-sdk;
notifications are checked by ``alipay_signing.verify_alipay_notification``, shared with the sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from alipay.utils import AliPayConfig
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from fanwen.commerce.providers.alipay_signing import (
    ALIPAY_PAID_STATUSES,
    beijing_time,
    parse_beijing_time,
    verify_alipay_notification,
)
from fanwen.commerce.providers.base import (
    HttpReply,
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
from fanwen.commerce.providers.keys import private_key_pem, public_key_pem
from fanwen.commerce.providers.masking import masked
from fanwen.core.money import BadAmount, fen_to_yuan, yuan_to_fen

ALIPAY_UNAVAILABLE = "支付宝暂时无法连接，请稍后再试，或选择其他支付方式。"
ALIPAY_REFUSED = "支付宝拒绝了这笔请求，请联系客服处理。"
_PRODUCT_CODES = {"page": "FAST_INSTANT_TRADE_PAY", "wap": "QUICK_WAP_WAY"}
_METHODS = {"page": "alipay.trade.page.pay", "wap": "alipay.trade.wap.pay"}
_SUBJECT_MAX = 256
_RETRYABLE_SUB_CODES = frozenset({"ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR"})


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    app_private_key: rsa.RSAPrivateKey = field(repr=False)  # ours: signs our requests
    alipay_public_key: rsa.RSAPublicKey = field(repr=False)  # Alipay's: verifies what Alipay sends
    gateway: str = "https://openapi.alipay.com/gateway.do"
    timeout_seconds: float = 15.0


class _GatewayAliPay(AliPay):  # type: ignore[misc]  # the SDK is untyped
    """The SDK client, pointed at the configured gateway (the SDK only knows two fixed URLs)."""

    def __init__(self, config: AlipayConfig) -> None:
        super().__init__(
            appid=config.app_id,
            app_private_key_string=private_key_pem(config.app_private_key),
            alipay_public_key_string=public_key_pem(config.alipay_public_key),
            sign_type="RSA2",
            config=AliPayConfig(timeout=config.timeout_seconds),
        )
        self._gateway = config.gateway


class AlipayProvider(PaymentProvider):
    name = "alipay"
    label = "支付宝"
    channels = ("page", "wap")

    def __init__(self, config: AlipayConfig) -> None:
        self.config = config
        self._client = _GatewayAliPay(config)

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
        """A signed redirect to Alipay's cashier.  No network."""
        check_payment_request(out_trade_no=out_trade_no, amount_fen=amount_fen, channel=channel, channels=self.channels)
        biz_content = {
            "out_trade_no": out_trade_no,
            "total_amount": fen_to_yuan(amount_fen),
            "subject": subject[:_SUBJECT_MAX],
            "product_code": _PRODUCT_CODES[channel],
        }
        if expires_at is not None:
            biz_content["time_expire"] = beijing_time(expires_at)
        if channel == "wap":
            biz_content["quit_url"] = return_url
        query = self._client.client_api(
            _METHODS[channel],
            biz_content,
            notify_url=notify_url,
            return_url=return_url,
            timestamp=beijing_time(timezone.now()),
        )
        return PaymentStart(redirect_url=f"{self.config.gateway}?{query}")

    # ---- notifications --------------------------------------------------------------------------

    def verify_notification(self, *, body: bytes, headers: Mapping[str, str]) -> VerifiedNotification:
        return verify_alipay_notification(
            body=body, alipay_public_key=self.config.alipay_public_key, app_id=self.config.app_id, provider="alipay"
        )

    def notification_success_response(self) -> HttpReply:
        return alipay_success_reply()

    def notification_failure_response(self, reason: str) -> HttpReply:
        return alipay_failure_reply()

    # ---- refunds and queries --------------------------------------------------------------------

    def refund(
        self, *, out_trade_no: str, out_request_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        """alipay.trade.refund; ``fund_change == "Y"`` means done.  Otherwise (including a retry of a
        refund that already went through) ask alipay.trade.fastpay.refund.query, as Alipay advises."""
        check_refund_request(
            out_trade_no=out_trade_no, out_request_no=out_request_no, refund_fen=refund_fen, total_fen=total_fen
        )
        answer = self._call(
            "alipay.trade.refund",
            {
                "out_trade_no": out_trade_no,
                "out_request_no": out_request_no,
                "refund_amount": fen_to_yuan(refund_fen),
                "refund_reason": reason[:256],
            },
        )
        self._refuse_unless_success(answer)
        _require_same(answer, "out_trade_no", out_trade_no)
        trade_no = str(answer.get("trade_no", ""))
        if answer.get("fund_change") == "Y":
            return RefundResult(status="done", provider_ref=trade_no, detail="fund_change=Y")

        status = self._call(
            "alipay.trade.fastpay.refund.query", {"out_trade_no": out_trade_no, "out_request_no": out_request_no}
        )
        self._refuse_unless_success(status)
        _require_same(status, "out_trade_no", out_trade_no)
        _require_same(status, "out_request_no", out_request_no)
        if status.get("refund_status") == "REFUND_SUCCESS":
            if _fen_or_none(status.get("refund_amount")) != refund_fen:
                raise ProviderResponseRejected(
                    ALIPAY_UNAVAILABLE, detail=f"refund query reports {status.get('refund_amount')!r}, not {refund_fen} fen"
                )
            return RefundResult(status="done", provider_ref=trade_no or str(status.get("trade_no", "")), detail="REFUND_SUCCESS")
        return RefundResult(status="pending", provider_ref=trade_no, detail="fund_change=N; refund query not yet REFUND_SUCCESS")

    def query(self, out_trade_no: str) -> VerifiedNotification | None:
        """alipay.trade.query.  ``event_id`` is ``query:<trade_no>:<trade_status>``."""
        answer = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        if answer.get("sub_code") in ("ACQ.TRADE_NOT_EXIST", "aop.ACQ.TRADE_NOT_EXIST"):
            return None
        self._refuse_unless_success(answer)
        _require_same(answer, "out_trade_no", out_trade_no)
        trade_no, trade_status = str(answer.get("trade_no", "")), str(answer.get("trade_status", ""))
        amount_fen = _fen_or_none(answer.get("total_amount"))
        if not trade_no or not trade_status or amount_fen is None:
            raise ProviderResponseRejected(ALIPAY_UNAVAILABLE, detail=f"incomplete trade query answer: {answer!r}")
        return VerifiedNotification(
            provider="alipay",
            event_id=f"query:{trade_no}:{trade_status}",
            out_trade_no=out_trade_no,
            provider_trade_no=trade_no,
            amount_fen=amount_fen,
            paid=trade_status in ALIPAY_PAID_STATUSES,
            app_id=self.config.app_id,
            trade_status=trade_status,
            paid_at=parse_beijing_time(str(answer.get("send_pay_date", ""))),
            raw=masked(answer),
        )

    # ---- the gateway ----------------------------------------------------------------------------

    def _call(self, method: str, biz_content: dict[str, str]) -> dict[str, Any]:
        """One signed gateway call; the answer's signature is verified with Alipay's public key."""
        try:
            answer = self._client.server_api(method, biz_content, timestamp=beijing_time(timezone.now()))
        except AliPayValidationError as exc:
            raise ProviderResponseRejected(ALIPAY_UNAVAILABLE, detail=f"{method}: answer signature does not verify") from exc
        except AliPayException as exc:  # an unsigned error answer: nothing in it can be trusted
            raise ProviderUnavailable(ALIPAY_UNAVAILABLE, detail=f"{method}: unsigned error answer: {exc}") from exc
        except OSError as exc:  # refused, timed out, HTTP error status
            raise ProviderUnavailable(ALIPAY_UNAVAILABLE, detail=f"{method}: {self.config.gateway}: {exc}") from exc
        except (ValueError, TypeError, AttributeError, KeyError) as exc:  # not JSON, or not the expected shape
            raise ProviderResponseRejected(ALIPAY_UNAVAILABLE, detail=f"{method}: unreadable answer: {exc!r}") from exc
        if not isinstance(answer, dict):
            raise ProviderResponseRejected(ALIPAY_UNAVAILABLE, detail=f"{method}: answer is not an object")
        return answer

    @staticmethod
    def _refuse_unless_success(answer: Mapping[str, Any]) -> None:
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if code == "10000":
            return
        detail = f"code={code} sub_code={sub_code} sub_msg={answer.get('sub_msg', '')}"
        if code == "20000" or sub_code in _RETRYABLE_SUB_CODES:
            raise ProviderUnavailable(ALIPAY_UNAVAILABLE, detail=detail)
        raise ProviderRefused(ALIPAY_REFUSED, detail=detail)


def alipay_success_reply() -> HttpReply:
    return HttpReply(200, "text/plain; charset=utf-8", b"success")


def alipay_failure_reply() -> HttpReply:
    return HttpReply(200, "text/plain; charset=utf-8", b"fail")


def _require_same(answer: Mapping[str, Any], key: str, expected: str) -> None:
    """A verified answer is still only trusted if it is about what we asked."""
    if key in answer and str(answer[key]) != expected:
        raise ProviderResponseRejected(ALIPAY_UNAVAILABLE, detail=f"answer is about {key}={answer[key]!r}, not {expected!r}")


def _fen_or_none(value: object) -> int | None:
    try:
        return yuan_to_fen(str(value)) if value is not None else None
    except BadAmount:
        return None
