"""Issue #9 item 20: every field error on the account forms is in Chinese."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def errors(response) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", "".join(re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', response.content.decode(), re.S)))


def assert_chinese(messages: list[str]) -> None:
    assert messages
    for message in messages:
        assert re.search(r"[\u4e00-\u9fff]", message), message
        assert not re.search(r"[A-Za-z]{4,}", message), message


@pytest.mark.parametrize(
    "data",
    [
        {"username": "new", "password1": "short1x", "password2": "short1x"},
        {"username": "new", "password1": "12345678", "password2": "12345678"},
        {"username": "taken", "password1": "x-long-pass-1", "password2": "x-long-pass-2"},
        {"username": "a" * 200, "password1": "x-long-pass-1", "password2": "x-long-pass-1"},
        {"username": "", "password1": "", "password2": ""},
    ],
    ids=["too-short", "numeric", "taken-and-mismatch", "too-long-name", "empty"],
)
def test_sign_up_errors_are_chinese(client, data):
    get_user_model().objects.create_user("taken", password="taken-pass-1")
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert_chinese(errors(response))


def test_an_empty_sign_up_form_says_what_is_missing(client):
    response = client.post("/accounts/signup/", {})
    assert "这个字段是必填项。" in errors(response)


@pytest.mark.parametrize("data", [{}, {"username": "taken", "password": "wrong"}])
def test_login_errors_are_chinese(client, data):
    get_user_model().objects.create_user("taken", password="taken-pass-1")
    assert_chinese(errors(client.post("/accounts/login/", data)))
