"""What /readyz checks and /metrics reports about this host: the database, the cache, this
host's search index against the shared outbox, and the outbox itself.

Every check is bounded so a probe costs a few milliseconds whatever the table sizes:
``SELECT 1``; one cache write and read; the rows after this host's checkpoint counted up to
the threshold (plus the oldest one's age, from the primary-key index); the outbox's depth as
the span of its ids (``max(id) - min(id) + 1``: an upper bound of the row count, exact when
no id was skipped by a rolled-back insert, two index lookups instead of a count).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from fanwen.search.indexer import read_state
from fanwen.search.models import IndexOutbox


@dataclass(frozen=True)
class IndexLag:
    built: bool  # this host has a checkpoint (state.json) at all
    rows: int  # outbox rows after this host's checkpoint (capped at ``limit`` + 1 when counted with a limit)
    oldest_seconds: float  # age of the oldest of them; 0 when none
    capped: bool = False


@dataclass
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or a short reason
    figures: dict[str, float | int] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(value == "ok" for value in self.checks.values())


def database_ok() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_ok() -> None:
    """The configured cache (Redis in production, the host's file cache when embedded)
    takes a write and gives it back."""
    key = "fanwen:readyz"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")


def index_lag(*, limit: int | None = None) -> IndexLag:
    """Outbox rows this host's index has not applied: those after its checkpoint
    (``search/state.json``'s ``last_outbox_id``, written by ``indexer.index_sync``)."""
    state = read_state()
    if "last_outbox_id" not in state:
        return IndexLag(built=False, rows=0, oldest_seconds=0.0)
    after = IndexOutbox.objects.filter(pk__gt=int(state["last_outbox_id"]))
    if limit is None:
        rows = after.count()
        capped = False
    else:
        rows = after.order_by("pk")[: limit + 1].count()
        capped = rows > limit
    oldest = after.order_by("pk").values_list("created_at", flat=True).first() if rows else None
    age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
    return IndexLag(built=True, rows=rows, oldest_seconds=age, capped=capped)


def outbox_depth_bound() -> int:
    """Rows in the shared search outbox, as the span of its ids (an upper bound; see above)."""
    span = IndexOutbox.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if span["low"] is None:
        return 0
    return int(span["high"]) - int(span["low"]) + 1


def outbox_rows() -> int:
    """The exact row count (for /metrics, scraped every few seconds at most)."""
    return IndexOutbox.objects.count()


def _limit(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def readiness() -> Readiness:
    """Each check "ok" or why not; the figures it looked at (numbers only)."""
    result = Readiness()
    started = time.perf_counter()
    try:
        database_ok()
        result.checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; only the class name is shown
        result.checks["database"] = f"unavailable ({type(exc).__name__})"
    try:
        cache_ok()
        result.checks["cache"] = "ok"
    except Exception as exc:
        result.checks["cache"] = f"unavailable ({type(exc).__name__})"
    if result.checks["database"] == "ok":
        _index_checks(result)
    result.figures["seconds"] = round(time.perf_counter() - started, 4)
    return result


def _index_checks(result: Readiness) -> None:
    max_rows = int(_limit("FANWEN_READY_INDEX_LAG_ROWS", 10_000))
    max_age = _limit("FANWEN_READY_INDEX_LAG_SECONDS", 120.0)
    max_outbox = int(_limit("FANWEN_READY_OUTBOX_ROWS", 0))
    try:
        lag = index_lag(limit=max_rows)
        depth = outbox_depth_bound()
    except Exception as exc:
        result.checks["index"] = f"unavailable ({type(exc).__name__})"
        return
    result.figures.update(index_lag_rows=lag.rows, index_lag_seconds=round(lag.oldest_seconds, 1), outbox_rows=depth)
    if not lag.built:
        result.checks["index"] = "search index not built on this host yet"
    elif lag.capped:
        result.checks["index"] = f"index behind by more than {max_rows} outbox rows"
    elif lag.oldest_seconds > max_age:
        result.checks["index"] = f"oldest unapplied outbox row is {lag.oldest_seconds:.0f} s old (limit {max_age:.0f} s)"
    else:
        result.checks["index"] = "ok"
    if max_outbox > 0 and depth > max_outbox:
        result.checks["outbox"] = f"outbox holds up to {depth} rows (limit {max_outbox})"
    else:
        result.checks["outbox"] = "ok"
