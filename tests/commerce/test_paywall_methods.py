"""The paywall card names only the payment methods this installation has switched on."""

from __future__ import annotations

import re

import pytest

from fanwen.commerce.providers.registry import ALIPAY_SETTINGS, WECHATPAY_SETTINGS
from tests.commerce.factories import make_document, make_user

pytestmark = pytest.mark.django_db


def _how_line(client, doc) -> str:  # type: ignore[no-untyped-def]
    html = client.get(f"/d/{doc.pk}/").content.decode()
    found = re.search(r'<p class="how">(.*?)</p>', html, re.S)
    assert found, "the paywall card has no payment line"
    return found.group(1)


def _no_real_providers(settings, *, sandbox: bool) -> None:  # type: ignore[no-untyped-def]
    settings.FANWEN_SANDBOX_ENABLED = sandbox
    for name in ALIPAY_SETTINGS + WECHATPAY_SETTINGS:
        setattr(settings, name, "")


def test_only_wallet_and_sandbox_on_names_only_those(client, settings):
    _no_real_providers(settings, sandbox=True)
    client.force_login(make_user())

    line = _how_line(client, make_document(price_fen=500))

    assert "支付宝" not in line and "微信支付" not in line
    assert line.endswith("可用余额或模拟支付（测试用，不扣款）。")


def test_real_providers_on_are_named(client, real_providers):
    client.force_login(make_user())

    line = _how_line(client, make_document(price_fen=500))

    assert line.endswith("可用余额、支付宝或微信支付。")
    assert "模拟支付" not in line


def test_wallet_only_says_wallet_only(client, settings):
    _no_real_providers(settings, sandbox=False)
    client.force_login(make_user())

    line = _how_line(client, make_document(price_fen=500))

    assert line.endswith("可用余额支付。")
