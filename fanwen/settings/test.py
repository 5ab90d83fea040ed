"""Tests: SQLite in a temporary data dir by default; DATABASE_URL/REDIS_URL switch to the real servers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fanwen.settings.base import *  # noqa: F403
from fanwen.settings.base import DATABASE_URL, REDIS_URL, env

SECRET_KEY = "test-only-not-secret"  # noqa: S105
FANWEN_PROFILE = "test"
DATA_DIR = Path(tempfile.mkdtemp(prefix="fanwen-test-"))
if REDIS_URL:
    # One Redis database per xdist worker, so cache.clear() between tests is safe.
    _worker = env.str("PYTEST_XDIST_WORKER", default="gw-1")
    _db = 10 + int(_worker[2:]) + 1 if _worker[2:].lstrip("-").isdigit() else 9
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL.rsplit("/", 1)[0] + f"/{_db}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fast hashing in tests; base.py keeps argon2 first and a test checks it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = DATA_DIR / "files"
FANWEN_SEARCH_RELOAD_SECONDS = 0.0
if DATABASE_URL.startswith("sqlite"):
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
