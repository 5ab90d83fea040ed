"""The one payment-provider interface.  Every provider (alipay, wechatpay, sandbox) implements it.

Modelled on pretix ``BasePaymentProvider``: the rest of fanwen talks to a provider only through
these methods and these value types, never to an SDK or a gateway directly.

What a provider does, and what it does not:

* ``start_payment`` turns an order we already created into somewhere to send the buyer
  (a redirect URL, or a QR-code URL for WeChat Native).
* ``verify_notification`` proves that an asynchronous notification really came from the provider
  (signature, timestamp, decryption, our app id) and parses it into a ``VerifiedNotification``.
  It does NOT look up orders or compare amounts: that is the caller's job, inside its transaction.
* ``notification_success_response`` / ``notification_failure_response`` are the exact HTTP answers
  the provider expects; the view returns them unchanged.
* ``refund`` asks the provider to refund.  It reports ``done`` only when the provider said so in a
  verified answer; anything less is ``pending`` or an exception, and the caller keeps the refund
  pending and retries with the same ``out_request_no`` (both providers treat it as idempotent,
  so a retry doubles as a status query).
* ``query`` asks the provider about a trade, for reconciliation.

Money is always integer fen.  Errors for the buyer are Chinese; details for logs are in ``detail``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

ProviderName = Literal["alipay", "wechatpay", "sandbox"]
RefundStatus = Literal["done", "pending"]
NotificationKind = Literal["payment", "refund"]

# The characters and length both Alipay (64, [A-Za-z0-9_]) and WeChat Pay (6-32, [A-Za-z0-9_-|*]) accept.
_OUT_TRADE_NO_RE = re.compile(r"^[0-9A-Za-z_-]{6,32}$")
# Alipay out_request_no (64) and WeChat out_refund_no (1-64) alike.
_OUT_REQUEST_NO_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


# ---- errors -------------------------------------------------------------------------------------


class PaymentProviderError(Exception):
    """Base class.  ``str(exc)`` is a Chinese message fit for the buyer; ``detail`` is for logs."""

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail


class ProviderUnavailable(PaymentProviderError):
    """The provider could not be reached or did not give a usable answer.  Try again later.

    For a refund this means: outcome unknown, keep it pending, retry with the same out_request_no.
    """


class ProviderResponseRejected(ProviderUnavailable):
    """The provider answered, but the answer failed verification (bad signature, wrong serial,
    stale timestamp, an answer about another trade).  Treated like no answer at all."""


class ProviderRefused(PaymentProviderError):
    """The provider answered, verifiably, and said no (e.g. refund larger than the payment).
    Retrying the same request will not help."""


class ProviderNotConfigured(KeyError):
    """No provider of that name is configured (or the sandbox is switched off)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "payment provider not configured"


class NotificationRejected(Exception):
    """A notification that is not provably genuine, or not for us.  ``reason`` is for logs and for
    the failure answer to the provider; never show it to a buyer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---- value types --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStart:
    """Where to send the buyer.  Exactly one of the two is set."""

    redirect_url: str | None = None
    qr_code_url: str | None = None  # WeChat Native ``code_url``: render it as a QR code

    def __post_init__(self) -> None:
        if (self.redirect_url is None) == (self.qr_code_url is None):
            raise ValueError("PaymentStart needs exactly one of redirect_url and qr_code_url")


@dataclass(frozen=True)
class VerifiedNotification:
    """A notification (or query answer) whose origin has been proven.  Order and amount checks
    are still the caller's.

    ``event_id`` is the idempotency key: put ``UniqueConstraint(provider, event_id)`` on it.
    ``paid`` is true only for Alipay TRADE_SUCCESS/TRADE_FINISHED or WeChat trade_state SUCCESS,
    and only for ``kind == "payment"``.  A ``kind == "refund"`` event reports on a refund we asked
    for (``refund_request_no`` is our out_request_no) and must never be taken as a payment.
    """

    provider: ProviderName
    event_id: str
    out_trade_no: str
    provider_trade_no: str
    amount_fen: int  # the trade total (also in refund events: the refund amount is in ``raw``)
    paid: bool
    app_id: str
    trade_status: str  # the provider's own word: TRADE_SUCCESS, SUCCESS, TRADE_CLOSED, ...
    kind: NotificationKind = "payment"
    refund_request_no: str | None = None
    paid_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)  # secrets masked, for the audit row


@dataclass(frozen=True)
class RefundResult:
    """``done``: the provider confirmed the money went back.  ``pending``: accepted, not yet final;
    call ``refund`` again later with the same out_request_no to learn the outcome."""

    status: RefundStatus
    provider_ref: str
    detail: str = ""


class HttpReply(NamedTuple):
    """An HTTP answer exactly as the provider expects it: ``HttpResponse(body, status=..., content_type=...)``."""

    status: int
    content_type: str
    body: bytes


# ---- the interface ------------------------------------------------------------------------------


class PaymentProvider(ABC):
    name: ProviderName
    label: str  # shown to buyers, e.g. 支付宝
    channels: tuple[str, ...]  # the values start_payment accepts for ``channel``

    @abstractmethod
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
        """Begin paying for an order.  ``channel``: Alipay ``page``|``wap``, WeChat ``native``|``h5``.
        ``client_ip`` is required by WeChat H5.  ``expires_at`` (aware) stops the provider accepting
        payment after the order expires.  Raises ``ProviderUnavailable`` or ``ProviderRefused``."""

    @abstractmethod
    def verify_notification(self, *, body: bytes, headers: Mapping[str, str]) -> VerifiedNotification:
        """Prove a notification genuine and parse it, or raise ``NotificationRejected``.
        ``body`` is the raw request body; ``headers`` e.g. Django's ``request.headers``."""

    @abstractmethod
    def notification_success_response(self) -> HttpReply:
        """The answer that tells the provider to stop retrying (send it for duplicates too)."""

    @abstractmethod
    def notification_failure_response(self, reason: str) -> HttpReply:
        """The answer that makes the provider retry later."""

    @abstractmethod
    def refund(
        self, *, out_trade_no: str, out_request_no: str, refund_fen: int, total_fen: int, reason: str
    ) -> RefundResult:
        """Refund ``refund_fen`` of a payment of ``total_fen``.  ``out_request_no`` is the idempotency
        key: reuse it for retries of the same refund, never for a different one.
        Raises ``ProviderUnavailable`` (outcome unknown: keep pending, retry) or ``ProviderRefused``."""

    def query(self, out_trade_no: str) -> VerifiedNotification | None:
        """What the provider says about the trade, or None if it knows no such trade."""
        raise NotImplementedError(f"{self.name} does not support query")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


# ---- helpers shared by the providers ------------------------------------------------------------


def check_payment_request(*, out_trade_no: str, amount_fen: int, channel: str, channels: tuple[str, ...]) -> None:
    """Refuse requests no provider would accept, before anything is signed or sent."""
    check_out_trade_no(out_trade_no)
    check_fen(amount_fen, what="amount_fen")
    if channel not in channels:
        raise ValueError(f"channel must be one of {channels}, not {channel!r}")


def check_out_trade_no(value: str) -> None:
    if not _OUT_TRADE_NO_RE.match(value):
        raise ValueError(f"out_trade_no must be 6-32 characters of [0-9A-Za-z_-], not {value!r}")


def check_fen(value: int, *, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{what} must be a positive integer number of fen, not {value!r}")


def check_refund_request(*, out_trade_no: str, out_request_no: str, refund_fen: int, total_fen: int) -> None:
    check_out_trade_no(out_trade_no)
    if not _OUT_REQUEST_NO_RE.match(out_request_no):
        raise ValueError(f"out_request_no must be 1-64 characters of [0-9A-Za-z_-], not {out_request_no!r}")
    check_fen(refund_fen, what="refund_fen")
    check_fen(total_fen, what="total_fen")
    if refund_fen > total_fen:
        raise ValueError(f"refund_fen {refund_fen} exceeds total_fen {total_fen}")
