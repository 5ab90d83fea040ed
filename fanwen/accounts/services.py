"""Writes for accounts: users, API tokens, login throttling."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fanwen.accounts.models import ApiToken
from fanwen.core.format import BIDI_RE

User = get_user_model()

def username_refuse_bidi(username: str) -> None:
    """Refused, not stripped: a name shown reordered ("admin\u202etxt.exe") could pass for
    another, and silently changing it would give the user a name they did not choose."""
    if BIDI_RE.search(username):
        raise ValidationError("用户名不能含有双向文字控制字符（U+202A–U+202E、U+2066–U+2069）", code="bidi")


def user_create(*, username: str, password: str, is_staff: bool = False, validate: bool = True) -> AbstractBaseUser:
    """``validate`` checks the name as sign-up does and the password against the validators."""
    user = User(username=username, is_staff=is_staff, is_superuser=is_staff)
    username_refuse_bidi(username)
    User._meta.get_field("username").run_validators(username)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


def api_token_create(*, user: Any) -> str:
    """Returns the raw token once; only its digest is stored."""
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(raw))
    return raw


def api_token_user(*, raw: str) -> AbstractBaseUser | None:
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@dataclass(frozen=True)
class LoginThrottle:
    """Failed logins, counted per account and per client address in fixed windows in the
    shared cache; the web login and the API token endpoint both use it.

    ``reserve()`` takes a slot in both counters BEFORE the password is checked, so guesses
    sent in parallel cannot all slip under the limit; ``succeeded()`` gives the slot back.
    A failure keeps its slot, so only failures count."""

    username: str
    address: str

    @cached_property
    def _counters(self) -> list[tuple[str, int]]:
        """Fixed when first used, so a success gives back the slot it took even across a window edge."""
        window = _window()[0]
        account = hashlib.sha256(self.username.lower()[:150].encode("utf-8", "replace")).hexdigest()
        address = hashlib.sha256(self.address[:100].encode("utf-8", "replace")).hexdigest()
        return [
            (f"login-fail:u:{account}:{window}", settings.FANWEN_LOGIN_FAILURES_PER_ACCOUNT),
            (f"login-fail:a:{address}:{window}", settings.FANWEN_LOGIN_FAILURES_PER_ADDRESS),
        ]

    def reserve(self) -> int | None:
        """None when the attempt may go ahead; else the seconds until it may."""
        counters = self._counters
        taken: list[str] = []
        for key, limit in counters:
            taken.append(key)
            if _bump(key, 1) > limit:
                for held in taken:
                    _bump(held, -1)
                return _window()[1]
        return None

    def succeeded(self) -> None:
        for key, _ in self._counters:
            _bump(key, -1)


def login_refusal_message(wait_seconds: int) -> str:
    return f"登录失败次数过多，请 {max(1, math.ceil(wait_seconds / 60))} 分钟后再试"


def _window() -> tuple[int, int]:
    """(the current window's number, seconds until it ends)."""
    length = settings.FANWEN_LOGIN_WINDOW_SECONDS
    now = time.time()
    return int(now // length), max(1, math.ceil(length - now % length))


def _bump(key: str, delta: int) -> int:
    """Atomic on Redis and in-process caches.  The expiry is set again each time, because
    some backends' incr() rewrites the entry with their default timeout."""
    ttl = _window()[1] + 5
    cache.add(key, 0, ttl)
    try:
        value = cache.incr(key, delta)
    except ValueError:  # expired between add() and incr()
        value = max(delta, 0)
        cache.set(key, value, ttl)
    cache.touch(key, ttl)
    return int(value)
