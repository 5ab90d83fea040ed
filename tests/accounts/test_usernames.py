"""Issue #9 item 19 (bidi part): user names with bidirectional controls are refused, not stripped."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
SPOOF = "admin\u202etxt.exe"


def test_useradd_refuses_a_name_with_bidi_controls():
    with pytest.raises(CommandError, match="双向"):
        call_command("useradd", SPOOF, "--password", "a-long-pass-123")
    assert not get_user_model().objects.exists()


def test_useradd_checks_names_like_sign_up_does():
    with pytest.raises(CommandError):
        call_command("useradd", "有 空格", "--password", "a-long-pass-123")
    call_command("useradd", "王小明", "--password", "a-long-pass-123")
    assert get_user_model().objects.filter(username="王小明").exists()


@pytest.mark.parametrize("name", [SPOOF, "a\u2066b"])
def test_sign_up_refuses_a_name_with_bidi_controls_in_chinese(client, name: str):
    response = client.post(
        "/accounts/signup/", {"username": name, "password1": "a-long-pass-123", "password2": "a-long-pass-123"}
    )
    assert response.status_code == 200
    assert "用户名" in response.content.decode() and "双向" in response.content.decode()
    assert not get_user_model().objects.exists()
