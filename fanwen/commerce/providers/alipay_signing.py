"""Alipay's RSA2 form signature, and the notification check built on it.

The alipay provider and the sandbox provider both verify notifications with
``verify_alipay_notification``; they differ only in which public key and app id they pass.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fanwen.commerce.providers.base import NotificationRejected, ProviderName, VerifiedNotification
from fanwen.commerce.providers.masking import masked
from fanwen.core.money import BadAmount, yuan_to_fen

ALIPAY_PAID_STATUSES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
BEIJING = timezone(timedelta(hours=8), "CST")  # Alipay's times are Beijing time, without a zone
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "gbk": "gbk", "gb2312": "gbk"}
_REQUIRED = ("notify_id", "app_id", "out_trade_no", "trade_no", "trade_status", "total_amount")
_MAX_FIELDS = 100


def alipay_signing_string(fields: Mapping[str, str]) -> str:
    """Every field except ``sign`` and ``sign_type``, sorted by key, as ``k=v`` joined by ``&``."""
    return "&".join(f"{key}={fields[key]}" for key in sorted(fields) if key not in ("sign", "sign_type"))


def alipay_sign(fields: Mapping[str, str], private_key: rsa.RSAPrivateKey, *, charset: str = "utf-8") -> str:
    """The base64 SHA256withRSA signature of ``fields`` (what Alipay puts in ``sign``)."""
    message = alipay_signing_string(fields).encode(charset)
    return base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def alipay_signature_valid(
    fields: Mapping[str, str], signature: str, public_key: rsa.RSAPublicKey, *, charset: str = "utf-8"
) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, alipay_signing_string(fields).encode(charset), padding.PKCS1v15(), hashes.SHA256())
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def parse_alipay_form(body: bytes) -> tuple[dict[str, str], str]:
    """The form fields of a notification and the charset they were encoded in.

    A field sent twice is refused: which copy was signed would be ambiguous.
    """
    try:
        # Field names and the charset value are ASCII, so a latin-1 pass finds the charset safely.
        first = parse_qsl(body.decode("latin-1"), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
        declared = dict(first).get("charset", "utf-8").lower()
        charset = _CHARSETS.get(declared)
        if charset is None:
            raise NotificationRejected(f"unsupported charset {declared!r}")
        pairs = parse_qsl(
            body.decode(charset),
            keep_blank_values=True,
            strict_parsing=True,
            encoding=charset,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotificationRejected(f"not a form-encoded notification: {exc}") from exc
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise NotificationRejected("a field appears more than once")
    return fields, charset


def verify_alipay_notification(
    *, body: bytes, alipay_public_key: rsa.RSAPublicKey, app_id: str, provider: ProviderName
) -> VerifiedNotification:
    """Check an Alipay asynchronous notification exactly as Alipay documents it, then parse it.

    1. signature: all fields but sign/sign_type, sorted, ``k=v&...``, SHA256withRSA, Alipay's key;
    2. ``app_id`` is ours;
    3. ``total_amount`` parses exactly to fen.
    """
    fields, charset = parse_alipay_form(body)
    signature = fields.get("sign", "")
    if not signature:
        raise NotificationRejected("missing sign")
    if fields.get("sign_type") != "RSA2":
        raise NotificationRejected(f"sign_type must be RSA2, not {fields.get('sign_type')!r}")
    if not alipay_signature_valid(fields, signature, alipay_public_key, charset=charset):
        raise NotificationRejected("signature does not verify with the Alipay public key")
    missing = [name for name in _REQUIRED if not fields.get(name)]
    if missing:
        raise NotificationRejected(f"missing fields: {', '.join(missing)}")
    if fields["app_id"] != app_id:
        raise NotificationRejected(f"app_id {fields['app_id']!r} is not ours")
    try:
        amount_fen = yuan_to_fen(fields["total_amount"])
    except BadAmount as exc:
        raise NotificationRejected(f"total_amount: {exc}") from exc

    # Refunds also notify: they carry the refund request number (out_biz_no) and gmt_refund.
    is_refund = bool(fields.get("out_biz_no") or fields.get("gmt_refund"))
    return VerifiedNotification(
        provider=provider,
        event_id=fields["notify_id"],
        out_trade_no=fields["out_trade_no"],
        provider_trade_no=fields["trade_no"],
        amount_fen=amount_fen,
        paid=not is_refund and fields["trade_status"] in ALIPAY_PAID_STATUSES,
        app_id=fields["app_id"],
        trade_status=fields["trade_status"],
        kind="refund" if is_refund else "payment",
        refund_request_no=fields.get("out_biz_no") or None,
        paid_at=parse_beijing_time(fields.get("gmt_payment", "")),
        raw=masked(fields),
    )


def parse_beijing_time(text: str) -> datetime | None:
    """``"2015-12-27 23:02:43"`` (Beijing time) → an aware datetime; anything else → None."""
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None


def beijing_time(moment: datetime) -> str:
    """An aware datetime in Alipay's format, e.g. for ``timestamp`` and ``time_expire``."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
