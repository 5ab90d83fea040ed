"""WeChat Pay API v3 signatures and resource decryption, shared by notifications and API answers.

The cryptography is wechatpayv3's (``wechatpayv3.utils``); the checks around it are ours, because
the SDK neither rejects stale timestamps nor limits itself to the configured platform key
(an unknown serial makes it fetch certificates from the network).
"""

from __future__ import annotations

import binascii
import time
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric import rsa
from wechatpayv3.utils import aes_decrypt, build_authorization, rsa_verify

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
MAX_CLOCK_SKEW_SECONDS = 5 * 60


class SignatureProblem(ValueError):
    """Why a signed WeChat Pay message was not accepted."""


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """Header lookup by lower-case name, whatever the caller's mapping does with case."""
    return {key.lower(): value for key, value in headers.items()}


def verify_wechatpay_signature(
    *,
    headers: Mapping[str, str],
    body: bytes,
    platform_keys: Mapping[str, rsa.RSAPublicKey],
    now: float | None = None,
) -> None:
    """Check ``timestamp\\nnonce\\nbody\\n`` against Wechatpay-Signature, with the platform key the
    Wechatpay-Serial header names, and a timestamp within 5 minutes of ``now``.  Raises SignatureProblem."""
    h = lower_keys(headers)
    signature = h.get("wechatpay-signature", "")
    timestamp = h.get("wechatpay-timestamp", "")
    nonce = h.get("wechatpay-nonce", "")
    serial = h.get("wechatpay-serial", "")
    if not (signature and timestamp and nonce and serial):
        raise SignatureProblem("missing Wechatpay-Signature, -Timestamp, -Nonce or -Serial header")
    signature_type = h.get("wechatpay-signature-type", SIGNATURE_TYPE)
    if signature_type != SIGNATURE_TYPE:
        raise SignatureProblem(f"unsupported Wechatpay-Signature-Type {signature_type!r}")
    public_key = platform_keys.get(serial)
    if public_key is None:
        raise SignatureProblem(f"Wechatpay-Serial {serial!r} is not our platform public key id")
    if not timestamp.isdigit():
        raise SignatureProblem(f"Wechatpay-Timestamp {timestamp!r} is not a number")
    skew = abs((time.time() if now is None else now) - int(timestamp))
    if skew > MAX_CLOCK_SKEW_SECONDS:
        raise SignatureProblem(f"Wechatpay-Timestamp is {int(skew)} s away from now (limit {MAX_CLOCK_SKEW_SECONDS} s)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SignatureProblem("body is not UTF-8") from exc
    if not rsa_verify(timestamp, nonce, text, signature, public_key):
        raise SignatureProblem("signature does not verify with the platform public key")


def decrypt_resource(resource: Mapping[str, object], *, apiv3_key: str) -> str:
    """AES-256-GCM: key = the APIv3 key, nonce = resource.nonce (UTF-8), AAD = associated_data."""
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise SignatureProblem(f"unsupported resource algorithm {resource.get('algorithm')!r}")
    nonce, ciphertext = resource.get("nonce"), resource.get("ciphertext")
    associated_data = resource.get("associated_data") or ""
    if not (isinstance(nonce, str) and isinstance(ciphertext, str) and isinstance(associated_data, str)):
        raise SignatureProblem("resource lacks nonce or ciphertext")
    try:
        plaintext = aes_decrypt(nonce=nonce, ciphertext=ciphertext, associated_data=associated_data, apiv3_key=apiv3_key)
    except (ValueError, binascii.Error) as exc:
        raise SignatureProblem(f"cannot decrypt resource: {exc}") from exc
    if plaintext is None:  # the GCM tag did not match
        raise SignatureProblem("resource does not decrypt: tampered, or not our APIv3 key")
    return str(plaintext)


def authorization_header(
    *, method: str, path_with_query: str, body: str, mch_id: str, cert_serial: str, private_key: rsa.RSAPrivateKey
) -> str:
    """``WECHATPAY2-SHA256-RSA2048 mchid=...,signature=...`` over ``method\\npath\\nts\\nnonce\\nbody\\n``."""
    return str(
        build_authorization(path_with_query, method, mch_id, cert_serial, private_key, data=body or None)
    )
