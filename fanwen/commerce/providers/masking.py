"""Mask secrets and buyer identifiers before a provider payload is stored in an audit row."""

from __future__ import annotations

from typing import Any

# Signatures, ciphertext and buyer identifiers: nothing the audit trail needs in full.
SENSITIVE_KEYS = frozenset(
    {
        "sign",
        "signature",
        "ciphertext",
        "openid",
        "sp_openid",
        "sub_openid",
        "buyer_id",
        "buyer_open_id",
        "buyer_user_id",
        "buyer_logon_id",
        "payer_client_ip",
    }
)


def mask(value: str) -> str:
    """``"2088102177846880"`` → ``"***6880"``; short values lose everything."""
    return "***" + value[-4:] if len(value) > 8 else "***"


def masked(data: Any) -> Any:
    """A deep copy of ``data`` with every value under a sensitive key masked."""
    if isinstance(data, dict):
        return {
            key: mask(str(value)) if key in SENSITIVE_KEYS and value not in (None, "") else masked(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [masked(item) for item in data]
    return data
