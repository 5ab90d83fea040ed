"""Writes for the ops console: the site's daily views (``SiteDay``) and the search panels'
snapshot in the cache (refreshed by the worker)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from fanwen.ops.models import SiteDay


def site_views_add(*, day: date, reads: int, paywall_views: int) -> None:
    """Add to a day's views: one upsert (a conflict adds)."""
    if not reads and not paywall_views:
        return
    table = SiteDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, reads, paywall_views) VALUES (%s, %s, %s)"  # noqa: S608 (our table)
            f" ON CONFLICT (day) DO UPDATE SET reads = {table}.reads + excluded.reads,"
            f" paywall_views = {table}.paywall_views + excluded.paywall_views",
            [day, int(reads), int(paywall_views)],
        )


def site_views_on_flushed(sender: Any, *, counts: dict[int, tuple[int, int]], **kwargs: Any) -> None:
    """Receiver of ``library.view_counts.views_flushed`` (connected in ``apps.py``), inside the
    flush's transaction: today's reads and paywall views of every document."""
    site_views_add(day=timezone.localdate(), reads=sum(r for r, _ in counts.values()),
                   paywall_views=sum(p for _, p in counts.values()))


def ops_refresh() -> None:
    """The worker, every minute: recompute the search panels whose snapshot is getting old."""
    from fanwen.ops.selectors import search_snapshots_refresh

    search_snapshots_refresh()
