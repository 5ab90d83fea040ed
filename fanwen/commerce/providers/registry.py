"""Which providers this installation offers, built from Django settings.  The only module here
that reads settings; the providers themselves take plain config dataclasses.

* alipay: when FANWEN_ALIPAY_APP_ID, _PRIVATE_KEY_FILE and _PUBLIC_KEY_FILE are all set;
* wechatpay: when all seven FANWEN_WECHATPAY_* keys are set;
* sandbox: when FANWEN_SANDBOX_ENABLED is on (production forces it off), and either no real
  provider is configured or FANWEN_SANDBOX_ENABLED is set explicitly in the environment.

A provider whose settings are only partly filled in, or whose key files cannot be read, is an
operator mistake: it raises ImproperlyConfigured rather than silently disappearing.
"""

from __future__ import annotations

import os
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fanwen.commerce.providers.alipay import AlipayConfig, AlipayProvider
from fanwen.commerce.providers.base import PaymentProvider, ProviderNotConfigured
from fanwen.commerce.providers.keys import KeyFileError, load_private_key, load_public_key
from fanwen.commerce.providers.sandbox import SandboxConfig, SandboxDisabled, SandboxProvider
from fanwen.commerce.providers.wechatpay import WechatPayConfig, WechatPayProvider

PROVIDER_NAMES = ("alipay", "wechatpay", "sandbox")
ALIPAY_SETTINGS = ("FANWEN_ALIPAY_APP_ID", "FANWEN_ALIPAY_PRIVATE_KEY_FILE", "FANWEN_ALIPAY_PUBLIC_KEY_FILE")
WECHATPAY_SETTINGS = (
    "FANWEN_WECHATPAY_MCH_ID",
    "FANWEN_WECHATPAY_APPID",
    "FANWEN_WECHATPAY_APIV3_KEY",
    "FANWEN_WECHATPAY_PRIVATE_KEY_FILE",
    "FANWEN_WECHATPAY_CERT_SERIAL",
    "FANWEN_WECHATPAY_PUBLIC_KEY_FILE",
    "FANWEN_WECHATPAY_PUBLIC_KEY_ID",
)


def available() -> list[PaymentProvider]:
    """The providers to offer buyers, in display order."""
    return [get(name) for name in PROVIDER_NAMES if _is_offered(name)]


def offered_labels() -> list[str]:
    """What buyers call the offered providers, in display order, without loading any key."""
    classes: dict[str, type[PaymentProvider]] = {
        "alipay": AlipayProvider, "wechatpay": WechatPayProvider, "sandbox": SandboxProvider,
    }
    return [classes[name].label for name in PROVIDER_NAMES if _is_offered(name)]


def get(name: str) -> PaymentProvider:
    """The provider called ``name``; ``ProviderNotConfigured`` (a KeyError) if it is not offered."""
    if name not in PROVIDER_NAMES:
        raise ProviderNotConfigured(f"no payment provider called {name!r}")
    if not _is_offered(name):
        raise (SandboxDisabled if name == "sandbox" else ProviderNotConfigured)(f"payment provider {name!r} is not configured")
    if name == "alipay":
        return AlipayProvider(alipay_config())
    if name == "wechatpay":
        return WechatPayProvider(wechatpay_config())
    return SandboxProvider(sandbox_config())


def sandbox_sign_notification(
    *,
    out_trade_no: str,
    amount_fen: int,
    subject: str = "",
    trade_status: str = "TRADE_SUCCESS",
    notify_id: str | None = None,
    paid_at: datetime | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The sandbox checkout's "pay" button: an Alipay-format notification signed with the sandbox key.
    Raises ``SandboxDisabled`` when the sandbox is not offered."""
    if not _is_offered("sandbox"):
        raise SandboxDisabled("the sandbox payment provider is not offered here")
    return SandboxProvider(sandbox_config()).sign_notification(
        out_trade_no=out_trade_no,
        amount_fen=amount_fen,
        subject=subject,
        trade_status=trade_status,
        notify_id=notify_id,
        paid_at=paid_at,
    )


# ---- settings -> config -------------------------------------------------------------------------


def alipay_config() -> AlipayConfig:
    _require_complete("支付宝", ALIPAY_SETTINGS)
    try:
        return AlipayConfig(
            app_id=settings.FANWEN_ALIPAY_APP_ID,
            app_private_key=load_private_key(settings.FANWEN_ALIPAY_PRIVATE_KEY_FILE),
            alipay_public_key=load_public_key(settings.FANWEN_ALIPAY_PUBLIC_KEY_FILE),
            gateway=settings.FANWEN_ALIPAY_GATEWAY,
        )
    except KeyFileError as exc:
        raise ImproperlyConfigured(f"支付宝: {exc}") from exc


def wechatpay_config() -> WechatPayConfig:
    _require_complete("微信支付", WECHATPAY_SETTINGS)
    try:
        return WechatPayConfig(
            mch_id=settings.FANWEN_WECHATPAY_MCH_ID,
            app_id=settings.FANWEN_WECHATPAY_APPID,
            apiv3_key=settings.FANWEN_WECHATPAY_APIV3_KEY,
            merchant_private_key=load_private_key(settings.FANWEN_WECHATPAY_PRIVATE_KEY_FILE),
            merchant_cert_serial=settings.FANWEN_WECHATPAY_CERT_SERIAL,
            platform_public_key=load_public_key(settings.FANWEN_WECHATPAY_PUBLIC_KEY_FILE),
            platform_public_key_id=settings.FANWEN_WECHATPAY_PUBLIC_KEY_ID,
            gateway=settings.FANWEN_WECHATPAY_GATEWAY,
        )
    except (KeyFileError, ValueError) as exc:
        raise ImproperlyConfigured(f"微信支付: {exc}") from exc


def sandbox_config() -> SandboxConfig:
    return SandboxConfig(enabled=_sandbox_allowed(), key_dir=settings.DATA_DIR / "sandbox")


def _is_offered(name: str) -> bool:
    if name == "alipay":
        return _any_set(ALIPAY_SETTINGS)
    if name == "wechatpay":
        return _any_set(WECHATPAY_SETTINGS)
    real_configured = _any_set(ALIPAY_SETTINGS) or _any_set(WECHATPAY_SETTINGS)
    explicitly_on = "FANWEN_SANDBOX_ENABLED" in os.environ
    return _sandbox_allowed() and (not real_configured or explicitly_on)


def _sandbox_allowed() -> bool:
    return bool(settings.FANWEN_SANDBOX_ENABLED) and getattr(settings, "FANWEN_PROFILE", "") != "production"


def _any_set(names: tuple[str, ...]) -> bool:
    return any(getattr(settings, name, "") for name in names)


def _require_complete(label: str, names: tuple[str, ...]) -> None:
    missing = [name for name in names if not getattr(settings, name, "")]
    if missing:
        raise ImproperlyConfigured(f"{label} is partly configured; also set {', '.join(missing)}")
