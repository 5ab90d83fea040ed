"""Writes for accounts: users, API tokens, login throttling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

THROTTLE_MAX_FAILURES = 5
THROTTLE_WINDOW_SECONDS = 15 * 60


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
class Throttle:
    """Failed logins counted per username and per client address, in the shared cache."""

    username: str
    address: str

    def _keys(self) -> list[str]:
        return [f"login-fail:u:{self.username.lower()[:150]}", f"login-fail:a:{self.address}"]

    def attempt(self) -> bool:
        """Count this attempt BEFORE checking the password, atomically, so parallel guesses
        cannot all slip under the limit.  Returns False when the limit is passed."""
        allowed = True
        for key in self._keys():
            if cache.add(key, 1, THROTTLE_WINDOW_SECONDS):
                count = 1
            else:
                try:
                    count = cache.incr(key)
                except ValueError:
                    cache.set(key, 1, THROTTLE_WINDOW_SECONDS)
                    count = 1
            allowed = allowed and count <= THROTTLE_MAX_FAILURES
        return allowed

    def succeeded(self) -> None:
        cache.delete(self._keys()[0])
