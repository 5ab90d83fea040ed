"""fanwen worker: the background loop beside the web workers.

Applies the search outbox and checks new texts for near-duplicates (every second), expires stale orders, retries pending refunds,
releases matured earnings, settles open payouts, rolls up the author statistics and refreshes
the ops search panels and hands the search index the read counts it has lacked for 5 minutes (every minute), prunes the outbox and the search log (hourly).
`fanwen serve` starts it."""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from fanwen.commerce.services import orders_expire_stale, refunds_retry_pending
from fanwen.library.view_counts import views_reindex_due
from fanwen.moderation.services import dupes_check_pending
from fanwen.ops.services import ops_refresh
from fanwen.payouts.services import payouts_tick
from fanwen.search.indexer import WriterBusy, index_sync, outbox_prune
from fanwen.search.services import search_log_prune
from fanwen.stats.services import stats_periods_refresh, stats_rollup

log = logging.getLogger("fanwen.worker")


class Command(BaseCommand):
    help = "后台任务：搜索索引同步、订单过期、退款重试"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run each task once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        last_minute = last_hour = 0.0
        while not stop["now"]:
            now = time.monotonic()
            self._run("search sync", index_sync)
            self._run("near-duplicate check", dupes_check_pending)
            if now - last_minute >= 60 or options["once"]:
                self._run("expire orders", orders_expire_stale)
                self._run("retry refunds", refunds_retry_pending)
                self._run("release earnings, settle payouts", payouts_tick)
                self._run("stats rollup", stats_rollup)
                self._run("stats periods", stats_periods_refresh)
                self._run("ops search panels", ops_refresh)
                self._run("re-index read counts", views_reindex_due)
                last_minute = now
            if now - last_hour >= 3600 or options["once"]:
                self._run("prune outbox", outbox_prune)
                self._run("prune search log", search_log_prune)
                last_hour = now
            close_old_connections()
            if options["once"]:
                return
            time.sleep(1.0)

    def _run(self, name: str, task: Any) -> None:
        try:
            task()
        except WriterBusy:
            pass
        except Exception:
            log.exception("worker task %s failed", name)
