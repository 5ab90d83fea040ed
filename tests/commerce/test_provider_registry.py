"""providers.available() / providers.get(): which providers the settings configure."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from fanwen.commerce import providers
from fanwen.commerce.providers import ProviderNotConfigured
from fanwen.commerce.providers.alipay import AlipayProvider
from fanwen.commerce.providers.registry import ALIPAY_SETTINGS, WECHATPAY_SETTINGS
from fanwen.commerce.providers.sandbox import SandboxProvider
from fanwen.commerce.providers.wechatpay import WechatPayProvider
from tests.commerce import testkeys


@pytest.fixture
def no_keys(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    settings.FANWEN_SANDBOX_ENABLED = True
    settings.FANWEN_PROFILE = "test"
    for name in (*ALIPAY_SETTINGS, *WECHATPAY_SETTINGS):
        setattr(settings, name, "")
    monkeypatch.delenv("FANWEN_SANDBOX_ENABLED", raising=False)
    return settings


@pytest.fixture
def alipay_keys(no_keys, tmp_path):
    no_keys.FANWEN_ALIPAY_APP_ID = "2021000000000001"
    no_keys.FANWEN_ALIPAY_PRIVATE_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.APP)
    no_keys.FANWEN_ALIPAY_PUBLIC_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.ALIPAY, public_only=True)
    return no_keys


@pytest.fixture
def wechatpay_keys(no_keys, tmp_path):
    no_keys.FANWEN_WECHATPAY_MCH_ID = "1900000001"
    no_keys.FANWEN_WECHATPAY_APPID = "wxd678efh567hg6787"
    no_keys.FANWEN_WECHATPAY_APIV3_KEY = "a12d3924fd499edac8a5efc0f5a1c2b3"
    no_keys.FANWEN_WECHATPAY_PRIVATE_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.MERCHANT)
    no_keys.FANWEN_WECHATPAY_CERT_SERIAL = "444F4864EA9B34415A3E1B8C2D5F6A7B"
    no_keys.FANWEN_WECHATPAY_PUBLIC_KEY_FILE = testkeys.write_pem(tmp_path, testkeys.PLATFORM, public_only=True)
    no_keys.FANWEN_WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012024050100000000000001"
    return no_keys


def names() -> list[str]:
    return [provider.name for provider in providers.available()]


def test_without_keys_only_the_sandbox_is_offered(no_keys):
    assert names() == ["sandbox"]
    assert isinstance(providers.get("sandbox"), SandboxProvider)


def test_with_real_keys_the_sandbox_steps_aside(alipay_keys, wechatpay_keys):
    assert names() == ["alipay", "wechatpay"]
    assert isinstance(providers.get("alipay"), AlipayProvider)
    assert isinstance(providers.get("wechatpay"), WechatPayProvider)
    with pytest.raises(ProviderNotConfigured):
        providers.get("sandbox")


def test_sandbox_alongside_real_keys_when_explicitly_enabled(alipay_keys, monkeypatch):
    monkeypatch.setenv("FANWEN_SANDBOX_ENABLED", "true")

    assert names() == ["alipay", "sandbox"]


def test_unconfigured_provider_is_a_key_error(no_keys):
    with pytest.raises(KeyError):
        providers.get("alipay")
    with pytest.raises(ProviderNotConfigured, match="no payment provider called 'paypal'"):
        providers.get("paypal")


def test_labels_are_chinese(alipay_keys, wechatpay_keys):
    assert [p.label for p in providers.available()] == ["支付宝", "微信支付"]


def test_partly_configured_provider_is_an_error_not_silence(no_keys, tmp_path):
    no_keys.FANWEN_ALIPAY_APP_ID = "2021000000000001"

    with pytest.raises(ImproperlyConfigured, match="FANWEN_ALIPAY_PRIVATE_KEY_FILE"):
        providers.available()


def test_unreadable_key_file_is_an_error(alipay_keys, tmp_path):
    alipay_keys.FANWEN_ALIPAY_PUBLIC_KEY_FILE = str(tmp_path / "missing.pem")

    with pytest.raises(ImproperlyConfigured, match="支付宝"):
        providers.get("alipay")


def test_key_given_as_bare_base64_is_accepted(alipay_keys, tmp_path):
    pem = (tmp_path / f"{testkeys.ALIPAY}.pub.pem").read_text()
    bare = tmp_path / "alipay_public_key.txt"
    bare.write_text("".join(line for line in pem.splitlines() if not line.startswith("-----")))
    alipay_keys.FANWEN_ALIPAY_PUBLIC_KEY_FILE = str(bare)

    assert providers.get("alipay").name == "alipay"


def test_short_apiv3_key_is_an_error(wechatpay_keys):
    wechatpay_keys.FANWEN_WECHATPAY_APIV3_KEY = "too-short"

    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        providers.get("wechatpay")
