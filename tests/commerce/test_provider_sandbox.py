"""模拟支付: a real Alipay-format notification, signed with a key generated into the data directory,
verified by the same code as Alipay's.  Refused when disabled and in production."""

from __future__ import annotations

import stat
import threading
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl

import pytest

from fanwen.commerce import providers
from fanwen.commerce.providers import NotificationRejected, ProviderNotConfigured, SandboxDisabled
from fanwen.commerce.providers import sandbox as sandbox_module
from fanwen.commerce.providers.alipay import AlipayConfig, AlipayProvider
from fanwen.commerce.providers.keys import ensure_private_key
from fanwen.commerce.providers.registry import ALIPAY_SETTINGS, WECHATPAY_SETTINGS
from fanwen.commerce.providers.sandbox import SANDBOX_APP_ID, SandboxConfig, SandboxProvider
from tests.commerce import testkeys


@pytest.fixture
def sandbox_settings(settings, tmp_path, monkeypatch):
    """No real keys, sandbox on, a fresh data directory."""
    settings.DATA_DIR = tmp_path
    settings.FANWEN_SANDBOX_ENABLED = True
    settings.FANWEN_PROFILE = "test"
    for name in (*ALIPAY_SETTINGS, *WECHATPAY_SETTINGS):
        setattr(settings, name, "")
    monkeypatch.delenv("FANWEN_SANDBOX_ENABLED", raising=False)
    return settings


def test_round_trip_through_the_alipay_verification(sandbox_settings):
    body, headers = providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=550, subject="范文")

    notification = providers.get("sandbox").verify_notification(body=body, headers=headers)

    assert notification.provider == "sandbox"
    assert notification.out_trade_no == "FW20240501000001"
    assert notification.amount_fen == 550 and notification.paid is True
    assert notification.app_id == SANDBOX_APP_ID
    assert notification.provider_trade_no == "SANDBOXFW20240501000001"
    assert notification.event_id.startswith("sandbox-")


def test_the_notification_is_alipay_format(sandbox_settings):
    body, headers = providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=1)

    fields = dict(parse_qsl(body.decode("ascii")))
    assert headers == {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    assert fields["sign_type"] == "RSA2" and fields["notify_type"] == "trade_status_sync"
    assert fields["total_amount"] == "0.01" and fields["trade_status"] == "TRADE_SUCCESS"


def test_verification_is_the_shared_alipay_function(sandbox_settings):
    provider = providers.get("sandbox")
    body, headers = providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=500)
    real = sandbox_module.verify_alipay_notification

    with mock.patch.object(sandbox_module, "verify_alipay_notification", wraps=real) as spy:
        provider.verify_notification(body=body, headers=headers)

    assert real.__module__ == "fanwen.commerce.providers.alipay_signing"
    spy.assert_called_once()
    assert spy.call_args.kwargs["app_id"] == SANDBOX_APP_ID


def test_tampered_sandbox_notification_is_rejected(sandbox_settings):
    body, headers = providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=500)

    with pytest.raises(NotificationRejected, match="signature"):
        providers.get("sandbox").verify_notification(body=body.replace(b"total_amount=5.00", b"total_amount=0.01"), headers=headers)


def test_sandbox_and_alipay_do_not_accept_each_others_notifications(sandbox_settings):
    alipay = AlipayProvider(
        AlipayConfig(
            app_id=SANDBOX_APP_ID,  # even with the same app id, the key decides
            app_private_key=testkeys.key(testkeys.APP),
            alipay_public_key=testkeys.public(testkeys.ALIPAY),
        )
    )
    body, headers = providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=500)

    with pytest.raises(NotificationRejected, match="signature"):
        alipay.verify_notification(body=body, headers=headers)


def test_key_is_generated_once_into_the_data_directory_owner_only(sandbox_settings, tmp_path):
    first = providers.get("sandbox")
    body, headers = providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=500)

    second = providers.get("sandbox")

    [key_file] = (tmp_path / "sandbox").glob("*.pem")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "sandbox").stat().st_mode) == 0o700
    assert first.verify_notification(body=body, headers=headers).paid
    assert second.verify_notification(body=body, headers=headers).paid
    assert list((tmp_path / "sandbox").iterdir()) == [key_file]  # no temporary files left


def test_concurrent_first_use_agrees_on_one_key(tmp_path: Path):
    numbers: list[int] = []

    def use() -> None:
        numbers.append(ensure_private_key(tmp_path / "sandbox").public_key().public_numbers().n)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(numbers) == 4 and len(set(numbers)) == 1


def test_start_payment_redirects_to_the_local_checkout(sandbox_settings):
    started = providers.get("sandbox").start_payment(
        out_trade_no="FW20240501000001",
        amount_fen=500,
        subject="范文",
        notify_url="http://127.0.0.1:8000/payments/sandbox/notify/",
        return_url="http://127.0.0.1:8000/orders/FW20240501000001/",
        channel="page",
    )

    assert started.redirect_url == "/payments/sandbox/checkout/FW20240501000001/"
    assert started.qr_code_url is None


def test_refund_is_simulated_and_done(sandbox_settings):
    result = providers.get("sandbox").refund(
        out_trade_no="FW20240501000001", out_request_no="R1", refund_fen=500, total_fen=500, reason="测试"
    )

    assert result.status == "done" and result.provider_ref == "SANDBOX-REFUND-R1"


def test_replies_are_alipays(sandbox_settings):
    provider = providers.get("sandbox")

    assert provider.notification_success_response().body == b"success"
    assert provider.notification_failure_response("x").body == b"fail"


# ---- refused when disabled ----------------------------------------------------------------------


def test_sandbox_refused_when_disabled(sandbox_settings, tmp_path):
    sandbox_settings.FANWEN_SANDBOX_ENABLED = False

    with pytest.raises(SandboxDisabled):
        providers.get("sandbox")
    with pytest.raises(SandboxDisabled):
        providers.sandbox_sign_notification(out_trade_no="FW20240501000001", amount_fen=500)
    assert providers.available() == []
    assert not (tmp_path / "sandbox").exists()


def test_sandbox_refused_in_production_even_if_enabled(sandbox_settings, monkeypatch):
    sandbox_settings.FANWEN_PROFILE = "production"
    monkeypatch.setenv("FANWEN_SANDBOX_ENABLED", "true")

    with pytest.raises(ProviderNotConfigured):
        providers.get("sandbox")


def test_sandbox_provider_refuses_to_exist_when_disabled(tmp_path):
    with pytest.raises(SandboxDisabled):
        SandboxProvider(SandboxConfig(enabled=False, key_dir=tmp_path))


def test_disabled_is_a_key_error(sandbox_settings):
    sandbox_settings.FANWEN_SANDBOX_ENABLED = False

    with pytest.raises(KeyError):
        providers.get("sandbox")
