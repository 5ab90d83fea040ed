"""Security headers and production settings (issue #9, item 19): a Content-Security-Policy
that allows no inline script, pages that need none, and a production profile that passes
`check --deploy` and refuses placeholder secrets."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from fanwen.library.models import Document

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def csp_directives(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_csp_allows_no_inline_script(client):
    policy = csp_directives(client.get("/"))
    scripts = policy.get("script-src") or policy.get("default-src")
    assert scripts == ["'self'"], policy
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("base-uri") == ["'self'"]


def test_every_page_kind_carries_the_policy_and_needs_no_inline_script(client, examples_dir):
    call_command("loadexamples", "--dir", str(examples_dir))
    doc = Document.objects.order_by("id").first()
    staff = get_user_model().objects.create_superuser("op", password="op-pass-12345")
    anonymous = ["/", f"/d/{doc.pk}/", "/search/?q=党性", "/accounts/login/", "/accounts/signup/",
                 "/api/v1/docs", "/admin/login/", "/does-not-exist/", "/vip/"]
    admin = ["/admin/", "/admin/library/document/", f"/admin/library/document/{doc.pk}/change/",
             "/admin/auth/user/add/", "/me/", "/studio/", "/me/wallet/", "/me/orders/"]
    for urls in (anonymous, admin):
        if urls is admin:
            client.force_login(staff)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            assert "script-src 'self'" in response.get("Content-Security-Policy", ""), url
            html = response.content.decode()
            assert not INLINE_SCRIPT.findall(html), (url, INLINE_SCRIPT.findall(html))
            assert not INLINE_HANDLER.findall(html), (url, INLINE_HANDLER.findall(html))


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FANWEN_", "DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="fanwen.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://fanwen@127.0.0.1:5432/fanwen",
        REDIS_URL="redis://127.0.0.1:6379/0",
        FANWEN_ALLOWED_HOSTS="fanwen.example.com",
        FANWEN_DATA_DIR=os.environ.get("TMPDIR", "/tmp") + "/fanwen-deploy-check",
    )
    env.update(overrides)
    return env


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = run_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr, result.stdout + result.stderr


@pytest.mark.parametrize(
    "secret",
    ["change-me", "change-me-" * 6, "a" * 60, "ab" * 40, "short-but-random-Zx81",
     "django-insecure-q8Vw2LmZr5Tn0YbKc7HxJd4SfGp1Ue6Aa9Wo3Ri"],
    ids=["placeholder", "long-placeholder", "one-char", "two-chars", "short", "django-insecure"],
)
def test_production_refuses_placeholder_and_weak_secrets(secret):
    result = run_check(production_env(SECRET_KEY=secret))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr, result.stderr
