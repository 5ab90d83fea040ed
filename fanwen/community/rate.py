"""A fixed-window counter in the shared cache (the pattern of accounts.LoginThrottle): reports
per reader and copyright complaints per client address."""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache


def rate_take(*, scope: str, who: str, limit: int, window_seconds: int) -> int | None:
    """Take one slot; None when allowed, else the seconds until the window ends."""
    now = time.time()
    window = int(now // window_seconds)
    wait = max(1, math.ceil(window_seconds - now % window_seconds))
    key = f"community:{scope}:{hashlib.sha256(who.encode('utf-8', 'replace')).hexdigest()}:{window}"
    cache.add(key, 0, wait + 5)
    try:
        value = int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, wait + 5)
        value = 1
    cache.touch(key, wait + 5)
    return wait if value > limit else None


def wait_message(wait_seconds: int) -> str:
    return f"提交过于频繁，请 {max(1, math.ceil(wait_seconds / 60))} 分钟后再试"
