"""Production: PostgreSQL via DATABASE_URL, Redis via REDIS_URL, keys from the environment."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from fanwen.settings.base import *  # noqa: F403
from fanwen.settings.base import DATABASE_URL, REDIS_URL, env

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("production needs SECRET_KEY in the environment")
if DATABASE_URL.startswith("sqlite"):
    raise ImproperlyConfigured("production needs DATABASE_URL pointing at PostgreSQL")
if not REDIS_URL:
    raise ImproperlyConfigured("production needs REDIS_URL")
FANWEN_PROFILE = "production"
SESSION_COOKIE_SECURE = env.bool("FANWEN_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The sandbox signs its own notifications: never in production.
FANWEN_SANDBOX_ENABLED = False
