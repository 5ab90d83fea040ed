"""模拟支付: the provider offered when no real keys are configured.  Never in production.

The sandbox plays Alipay.  Its checkout page (a view the commerce app serves at
``/payments/sandbox/checkout/<out_trade_no>/``) has a "pay" button that calls
``sign_notification``: an Alipay-format notification, signed with the sandbox private key.
``verify_notification`` then runs the very same ``verify_alipay_notification`` as the real
Alipay provider, with the sandbox public key, so the sandbox exercises the real path.

The key pair is generated once into ``<DATA_DIR>/sandbox/`` (private key mode 0600).

Like a real provider, the sandbox remembers the trades it reported: every signed notification
is also kept in ``<DATA_DIR>/sandbox-trades/<out_trade_no>.form`` (the last one wins), and
``query`` answers from it, verifying it again like a notification.  So a notification that is
signed but never delivered (a lost notification) is still found by reconciliation.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from django.utils import timezone

from fanwen.commerce.providers.alipay import alipay_failure_reply, alipay_success_reply
from fanwen.commerce.providers.alipay_signing import alipay_sign, beijing_time, verify_alipay_notification
from fanwen.commerce.providers.base import (
    HttpReply,
    PaymentProvider,
    PaymentStart,
    ProviderNotConfigured,
    RefundResult,
    VerifiedNotification,
    check_fen,
    check_out_trade_no,
    check_payment_request,
    check_refund_request,
)
from fanwen.commerce.providers.keys import ensure_private_key
from fanwen.core.money import fen_to_yuan

SANDBOX_APP_ID = "fanwen-sandbox"
SANDBOX_CHECKOUT_PATH = "/payments/sandbox/checkout/{out_trade_no}/"
SANDBOX_NOTIFICATION_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


class SandboxDisabled(ProviderNotConfigured):
    """FANWEN_SANDBOX_ENABLED is off (always so in production)."""


@dataclass(frozen=True)
class SandboxConfig:
    enabled: bool
    key_dir: Path  # <DATA_DIR>/sandbox
    checkout_path: str = SANDBOX_CHECKOUT_PATH


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    label = "模拟支付（测试用，不扣款）"
    channels = ("page", "wap")

    def __init__(self, config: SandboxConfig) -> None:
        if not config.enabled:
            raise SandboxDisabled("the sandbox payment provider is disabled (FANWEN_SANDBOX_ENABLED is off)")
        self.config = config
        self._private_key = ensure_private_key(config.key_dir)
        self._public_key = self._private_key.public_key()

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
        """A redirect to our own checkout page; nothing is signed or sent yet."""
        check_payment_request(out_trade_no=out_trade_no, amount_fen=amount_fen, channel=channel, channels=self.channels)
        return PaymentStart(redirect_url=self.config.checkout_path.format(out_trade_no=quote(out_trade_no, safe="")))

    def sign_notification(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        subject: str = "",
        trade_status: str = "TRADE_SUCCESS",
        notify_id: str | None = None,
        paid_at: datetime | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """What Alipay would POST to notify_url for this trade: a form body and its headers.

        ``provider_trade_no`` is derived from out_trade_no, so paying twice names the same trade;
        each call is a new event (a fresh ``notify_id``) unless one is given.
        """
        check_out_trade_no(out_trade_no)
        check_fen(amount_fen, what="amount_fen")
        now = beijing_time(paid_at or timezone.now())
        amount = fen_to_yuan(amount_fen)
        fields = {
            "notify_time": now,
            "notify_type": "trade_status_sync",
            "notify_id": notify_id or f"sandbox-{uuid.uuid4().hex}",
            "app_id": SANDBOX_APP_ID,
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": sandbox_trade_no(out_trade_no),
            "out_trade_no": out_trade_no,
            "trade_status": trade_status,
            "total_amount": amount,
            "receipt_amount": amount,
            "buyer_pay_amount": amount,
            "buyer_id": "2088000000000000",
            "seller_id": "2088000000000001",
            "gmt_create": now,
            "gmt_payment": now,
        }
        if subject:
            fields["subject"] = subject
        fields["sign"] = alipay_sign(fields, self._private_key)
        body = urlencode(fields).encode("ascii")
        self._remember(out_trade_no, body)
        return body, {"Content-Type": SANDBOX_NOTIFICATION_CONTENT_TYPE}

    def _trade_file(self, out_trade_no: str) -> Path:
        check_out_trade_no(out_trade_no)  # [0-9A-Za-z_-] only: a safe file name
        return self.config.key_dir.parent / "sandbox-trades" / f"{out_trade_no}.form"

    def _remember(self, out_trade_no: str, body: bytes) -> None:
        path = self._trade_file(out_trade_no)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        partial.write_bytes(body)
        os.replace(partial, path)

    def verify_notification(self, *, body: bytes, headers: Mapping[str, str]) -> VerifiedNotification:
        return verify_alipay_notification(
            body=body, alipay_public_key=self._public_key, app_id=SANDBOX_APP_ID, provider="sandbox"
        )

    def notification_success_response(self) -> HttpReply:
        return alipay_success_reply()

    def notification_failure_response(self, reason: str) -> HttpReply:
        return alipay_failure_reply()

    def refund(
        self, *, out_trade_no: str, out_request_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        """Simulated: always done at once.  Idempotent like the real thing (same reference per request)."""
        check_refund_request(
            out_trade_no=out_trade_no, out_request_no=out_request_no, refund_fen=refund_fen, total_fen=total_fen
        )
        return RefundResult(status="done", provider_ref=f"SANDBOX-REFUND-{out_request_no}", detail="simulated")

    def query(self, out_trade_no: str) -> VerifiedNotification | None:
        """The last trade state the sandbox reported for ``out_trade_no`` (verified again), or None."""
        try:
            body = self._trade_file(out_trade_no).read_bytes()
        except FileNotFoundError:
            return None
        note = self.verify_notification(body=body, headers={})
        return replace(note, event_id=f"query:{note.provider_trade_no}:{note.trade_status}")


def sandbox_trade_no(out_trade_no: str) -> str:
    return f"SANDBOX{out_trade_no}"
