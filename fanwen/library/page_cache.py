"""The anonymous document page cache: its key, the per-process copy, get, set and clearing.

Views read and fill it, services and the search indexer clear it; this module imports
nothing of theirs, so no service depends on a view and search does not depend on library
services.

A page is cached only when rendered through the gate for an anonymous reader, and served
only to one, so it holds no paid text.  The shared copy (the Django cache) lives
``ANONYMOUS_PAGE_TTL`` seconds; in front of it each process keeps its own copy for
``LOCAL_PAGE_TTL`` seconds, so other processes may serve a page up to that long after it
changed (an unpublish, a price change) — never paid text, since none is in it.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

ANONYMOUS_PAGE_TTL = 300
LOCAL_PAGE_TTL = 2.0
LOCAL_PAGES_MAX = 2000
_local_pages: dict[int, tuple[float, bytes]] = {}


def anonymous_page_key(document_id: int) -> str:
    return f"page:anon:d:{document_id}"


def anonymous_page_get(document_id: int) -> bytes | None:
    now = time.monotonic()
    local = _local_pages.get(document_id)
    if local is not None and local[0] > now:
        return local[1]
    shared = cache.get(anonymous_page_key(document_id))
    if shared is not None:
        _local_put(document_id, shared, now)
    else:
        _local_pages.pop(document_id, None)
    return shared


def anonymous_page_set(document_id: int, content: bytes) -> None:
    cache.set(anonymous_page_key(document_id), content, ANONYMOUS_PAGE_TTL)
    _local_put(document_id, content, time.monotonic())


def anonymous_page_clear(*, document_id: int) -> None:
    """Now, and again after commit (a reader may re-cache the old page in between)."""
    cache.delete(anonymous_page_key(document_id))
    _local_pages.pop(document_id, None)
    transaction.on_commit(lambda: cache.delete(anonymous_page_key(document_id)))


def anonymous_pages_clear_shared(document_ids: list[int]) -> None:
    """The shared copies only: for a process (the search worker) that serves no pages."""
    cache.delete_many([anonymous_page_key(pk) for pk in document_ids])


def local_pages_clear() -> None:
    _local_pages.clear()


def _local_put(document_id: int, content: bytes, now: float) -> None:
    if len(_local_pages) > LOCAL_PAGES_MAX:
        _local_pages.clear()
    _local_pages[document_id] = (now + LOCAL_PAGE_TTL, content)
