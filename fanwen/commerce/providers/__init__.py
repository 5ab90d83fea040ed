"""Payment providers: one interface (``base.PaymentProvider``), three implementations.

    from fanwen.commerce import providers

    for provider in providers.available(): ...      # what to offer at checkout
    provider = providers.get("alipay")              # ProviderNotConfigured (a KeyError) if not offered
    start = provider.start_payment(out_trade_no=..., amount_fen=..., subject=..., notify_url=...,
                                   return_url=..., channel="page")
    notification = provider.verify_notification(body=request.body, headers=request.headers)
    status, content_type, body = provider.notification_success_response()

Files: ``base.py`` the interface and value types; ``alipay.py`` / ``wechatpay.py`` / ``sandbox.py``
the providers; ``alipay_signing.py`` / ``wechatpay_signing.py`` their signature checks;
``keys.py`` key files; ``registry.py`` settings → providers (the only place settings are read).
"""

from __future__ import annotations

from fanwen.commerce.providers.base import (
    HttpReply,
    NotificationRejected,
    PaymentProvider,
    PaymentProviderError,
    PaymentStart,
    ProviderNotConfigured,
    ProviderRefused,
    ProviderResponseRejected,
    ProviderUnavailable,
    RefundResult,
    VerifiedNotification,
)
from fanwen.commerce.providers.registry import available, get, sandbox_sign_notification
from fanwen.commerce.providers.sandbox import SandboxDisabled

__all__ = [
    "HttpReply",
    "NotificationRejected",
    "PaymentProvider",
    "PaymentProviderError",
    "PaymentStart",
    "ProviderNotConfigured",
    "ProviderRefused",
    "ProviderResponseRejected",
    "ProviderUnavailable",
    "RefundResult",
    "SandboxDisabled",
    "VerifiedNotification",
    "available",
    "get",
    "sandbox_sign_notification",
]
