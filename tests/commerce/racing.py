"""Run work in N threads at once, each with its own database connection, released together
by a barrier so that they truly race."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from fanwen.commerce.services.errors import CommerceError


def race(n: int, work: Callable[[int], str]) -> Counter[str]:
    """Each thread's answer, counted; a domain error counts under its class name (e.g. ``Busy``)."""
    barrier = threading.Barrier(n)

    def run(i: int) -> str:
        try:
            barrier.wait(timeout=30)
            return work(i)
        except CommerceError as exc:
            return type(exc).__name__
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return Counter(pool.map(run, range(n)))
