from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_argon2_is_the_production_hasher():
    from fanwen.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_signup_logs_in_and_returns_to_next(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password1": "a-long-pass-123", "password2": "a-long-pass-123", "next": "/d/1/"},
    )
    assert response.status_code == 302 and response["Location"] == "/d/1/"
    assert client.get("/me/").status_code == 200


def test_signup_refuses_offsite_next(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "n2", "password1": "a-long-pass-123", "password2": "a-long-pass-123", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_signup_shows_errors_in_chinese(client):
    response = client.post("/accounts/signup/", {"username": "x", "password1": "123", "password2": "456"})
    assert response.status_code == 200
    assert "密码" in response.content.decode()


def test_login_requires_csrf():
    from django.test import Client

    User.objects.create_user("bob", password="bob-pass-123")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"username": "bob", "password": "bob-pass-123"}).status_code == 403


def test_login_then_logout(client):
    User.objects.create_user("bob", password="bob-pass-123")
    response = client.post("/accounts/login/", {"username": "bob", "password": "bob-pass-123"})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/me/").status_code == 302


def test_login_is_throttled_after_repeated_failures(client):
    User.objects.create_user("bob", password="bob-pass-123")
    for _ in range(5):
        assert client.post("/accounts/login/", {"username": "bob", "password": "wrong"}).status_code == 200
    blocked = client.post("/accounts/login/", {"username": "bob", "password": "bob-pass-123"})
    assert blocked.status_code == 429
    assert "次数过多" in blocked.content.decode()


def test_change_password(client):
    User.objects.create_user("bob", password="bob-pass-123")
    client.login(username="bob", password="bob-pass-123")
    response = client.post(
        "/accounts/password/",
        {"old_password": "bob-pass-123", "new_password1": "new-pass-4567", "new_password2": "new-pass-4567"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="bob").check_password("new-pass-4567")


def test_useradd_command(capsys):
    call_command("useradd", "carol", "--password", "carol-pass-123", "--staff")
    carol = User.objects.get(username="carol")
    assert carol.is_staff and carol.check_password("carol-pass-123")
    with pytest.raises(CommandError, match="already exists"):
        call_command("useradd", "carol", "--password", "carol-pass-123")
    with pytest.raises(CommandError):
        call_command("useradd", "dave", "--password", "123")


def test_grant_and_revoke_commands(capsys, examples_dir):
    from fanwen.access import gate
    from fanwen.library.models import Document

    call_command("loadexamples", "--dir", str(examples_dir))
    doc = Document.objects.order_by("id").first()
    user = User.objects.create_user("erin", password="erin-pass-123")
    assert not gate.can_read_full(user, doc)
    call_command("grant", "erin", str(doc.pk))
    assert gate.can_read_full(user, doc)
    call_command("grant", "erin", str(doc.pk))
    assert "already granted" in capsys.readouterr().out
    call_command("revoke", "erin", str(doc.pk))
    assert not gate.can_read_full(user, doc)
    with pytest.raises(CommandError, match="no document"):
        call_command("grant", "erin", "999999")
    with pytest.raises(CommandError, match="no user"):
        call_command("grant", "nobody", str(doc.pk))


def test_ci_second_pass_really_uses_the_servers():
    """In CI's second pass the suite must run on PostgreSQL and Redis, not silently on SQLite."""
    import os

    from django.db import connection

    if not os.environ.get("FANWEN_REQUIRE_SERVERS"):
        pytest.skip("only in CI's PostgreSQL pass")
    assert connection.vendor == "postgresql"
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]
