"""The login throttle counts FAILURES, per account and per client address, for the web
login form and the API token endpoint alike; the client address comes from a trusted
proxy only (issue #9, item 4)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
User = get_user_model()
PROXY = "10.9.8.7"


def login(client: Client, endpoint: str, username: str, password: str, **headers: str) -> tuple[int, str]:
    """One login attempt through the web form or the API; returns (status, body text)."""
    if endpoint == "web":
        response = client.post("/accounts/login/", {"username": username, "password": password}, **headers)
        ok = response.status_code == 302
    else:
        response = client.post(
            "/api/v1/auth/token", {"username": username, "password": password},
            content_type="application/json", **headers,
        )
        ok = response.status_code == 200 and "token" in response.json()
        return (200 if ok else response.status_code), str(response.json().get("detail", ""))
    status = 200 if ok else response.status_code
    return status, response.content.decode()


def fresh(remote: str = "203.0.113.5") -> Client:
    return Client(REMOTE_ADDR=remote)


@pytest.mark.parametrize("endpoint", ["web", "api"])
def test_seven_users_log_in_from_one_address_within_a_minute(endpoint):
    for i in range(7):
        User.objects.create_user(f"office{i}", password=f"office-pass-{i}")
    statuses = [login(fresh(), endpoint, f"office{i}", f"office-pass-{i}")[0] for i in range(7)]
    assert statuses == [200] * 7
    # The same account may also sign in again and again (a shared office login, many tabs).
    assert [login(fresh(), endpoint, "office0", "office-pass-0")[0] for _ in range(7)] == [200] * 7


@pytest.mark.parametrize("endpoint", ["web", "api"])
def test_six_wrong_passwords_lock_only_that_account(endpoint):
    User.objects.create_user("victim", password="victim-pass-1")
    User.objects.create_user("neighbour", password="neighbour-pass-1")
    statuses = [login(fresh(), endpoint, "victim", "wrong")[0] for _ in range(6)]
    failed = 200 if endpoint == "web" else 401  # the web form re-renders with its error
    assert statuses[:5] == [failed] * 5
    assert statuses[5] == 429
    status, body = login(fresh(), endpoint, "victim", "victim-pass-1")
    assert status == 429, "the right password must not pass a locked account"
    minutes = re.search(r"登录失败次数过多，请 (\d+) 分钟后再试", body)
    assert minutes and 1 <= int(minutes.group(1)) <= 15, body
    assert login(fresh(), endpoint, "neighbour", "neighbour-pass-1")[0] == 200


@pytest.mark.parametrize("endpoint", ["web", "api"])
def test_many_typos_from_one_address_lock_that_address_at_its_own_higher_limit(endpoint, settings):
    settings.FANWEN_LOGIN_FAILURES_PER_ADDRESS = 8
    User.objects.create_user("late", password="late-pass-1")
    for i in range(8):
        assert login(fresh(), endpoint, f"typo{i}", "wrong")[0] != 429
    assert login(fresh(), endpoint, "late", "late-pass-1")[0] == 429
    assert login(fresh("198.51.100.1"), endpoint, "late", "late-pass-1")[0] == 200


@pytest.mark.parametrize("endpoint", ["web", "api"])
def test_forwarded_for_from_an_untrusted_peer_is_ignored(endpoint, settings):
    settings.FANWEN_LOGIN_FAILURES_PER_ADDRESS = 3
    settings.FANWEN_TRUSTED_PROXIES = [PROXY]
    User.objects.create_user("late", password="late-pass-1")
    for i in range(3):
        login(fresh(), endpoint, f"typo{i}", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    # A forged header does not buy a new address: the peer itself is locked.
    assert login(fresh(), endpoint, "late", "late-pass-1", HTTP_X_FORWARDED_FOR="192.0.2.99")[0] == 429


@pytest.mark.parametrize("endpoint", ["web", "api"])
def test_forwarded_for_from_a_trusted_proxy_is_used(endpoint, settings):
    settings.FANWEN_LOGIN_FAILURES_PER_ADDRESS = 3
    settings.FANWEN_TRUSTED_PROXIES = ["10.0.0.0/8"]
    User.objects.create_user("late", password="late-pass-1")
    for i in range(3):
        # The client forged the left-most entry; the proxy appended the real address.
        login(fresh(PROXY), endpoint, f"typo{i}", "wrong", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.50")
    assert login(fresh(PROXY), endpoint, "late", "late-pass-1", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.50")[0] == 429
    # Another client behind the same proxy is not locked out with it.
    assert login(fresh(PROXY), endpoint, "late", "late-pass-1", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.51")[0] == 200


def test_client_address_takes_the_right_most_untrusted_hop(rf, settings):
    from fanwen.web.client_address import client_address

    settings.FANWEN_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::1"]
    cases = [
        ("203.0.113.9", "6.6.6.6", "203.0.113.9"),  # untrusted peer: header ignored
        ("10.1.1.1", "", "10.1.1.1"),  # trusted peer, no header
        ("10.1.1.1", "6.6.6.6, 192.0.2.7", "192.0.2.7"),
        ("10.1.1.1", "6.6.6.6, 192.0.2.7, 10.2.2.2", "192.0.2.7"),  # a chain of trusted proxies
        ("2001:db8::1", "192.0.2.8", "192.0.2.8"),
        ("10.1.1.1", "10.3.3.3, 10.2.2.2", "10.3.3.3"),  # all hops trusted: the furthest one
        ("10.1.1.1", "junk, 192.0.2.9", "192.0.2.9"),
    ]
    for remote, forwarded, expected in cases:
        request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
        assert client_address(request) == expected, (remote, forwarded)


def test_parallel_guesses_cannot_slip_under_the_limit():
    """A slot is reserved before the password is checked, so N guesses in flight at once
    count as N even though none of them has failed yet."""
    from fanwen.accounts.services import LoginThrottle

    throttle = LoginThrottle(username="victim", address="10.0.0.1")
    reservations = [throttle.reserve() for _ in range(8)]
    assert [r is None for r in reservations].count(True) == 5
    assert all(r is not None and 0 < r <= 15 * 60 for r in reservations[5:])


def test_the_admin_login_shares_the_throttle():
    User.objects.create_superuser("operator", password="operator-pass-1")
    client = fresh()
    for _ in range(5):
        assert client.post("/admin/login/", {"username": "operator", "password": "wrong"}).status_code == 200
    refused = client.post("/admin/login/", {"username": "operator", "password": "operator-pass-1"})
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.content.decode()
    other = User.objects.create_superuser("operator2", password="operator-pass-2")
    ok = fresh().post("/admin/login/", {"username": other.username, "password": "operator-pass-2"})
    assert ok.status_code == 302
