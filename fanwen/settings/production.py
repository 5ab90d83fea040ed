"""Production: PostgreSQL via DATABASE_URL, Redis via REDIS_URL, keys from the environment,
HTTPS only (HSTS, redirect, secure cookies).  `fanwen check --deploy` is clean with it."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from fanwen.settings.base import *  # noqa: F403
from fanwen.settings.base import DATABASE_URL, FANWEN_TRUSTED_PROXIES, REDIS_URL, env

# Words that mark a key copied from an example instead of generated.
PLACEHOLDER_WORDS = ("change", "replace", "example", "placeholder", "secret", "insecure")


def strong_secret_key(key: str) -> str:
    """The key, or a clear error at start: Django's own rule (≥ 50 characters, ≥ 5 distinct,
    not django-insecure-) plus no placeholder words such as `change-me`."""
    how = 'generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    if not key:
        raise ImproperlyConfigured(f"production needs SECRET_KEY in the environment; {how}")
    lowered = key.lower().replace("_", "-")
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        raise ImproperlyConfigured(f"SECRET_KEY looks like a placeholder (e.g. change-me); {how}")
    if len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(f"SECRET_KEY is too weak (needs ≥ 50 characters, ≥ 5 distinct); {how}")
    return key


SECRET_KEY = strong_secret_key(env.str("SECRET_KEY", default=""))
if DATABASE_URL.startswith("sqlite"):
    raise ImproperlyConfigured("production needs DATABASE_URL pointing at PostgreSQL")
if not REDIS_URL:
    raise ImproperlyConfigured("production needs REDIS_URL")
FANWEN_PROFILE = "production"

SESSION_COOKIE_SECURE = env.bool("FANWEN_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("FANWEN_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("FANWEN_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("FANWEN_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("FANWEN_HSTS_PRELOAD", default=True)
# Payment providers' notifications arrive over HTTPS at their own URLs and are never redirected.
SECURE_REDIRECT_EXEMPT = [r"^payments/(alipay|wechatpay)/notify$"]
if FANWEN_TRUSTED_PROXIES:
    # Behind our reverse proxy, which terminates TLS and MUST set (overwrite) this header;
    # the app must not be reachable except through it.  Without a trusted proxy the header
    # is ignored, since anyone could send it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The sandbox signs its own notifications: never in production.
FANWEN_SANDBOX_ENABLED = False
# One JSON object per line (time, level, logger, message, request_id) unless told otherwise.
LOGGING["handlers"]["console"]["formatter"] = env.str("FANWEN_LOG_FORMAT", default="json")  # noqa: F405
