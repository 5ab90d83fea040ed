"""fanwen worker: the background loop beside the web workers, one per host.

Every second it applies the search outbox to THIS host's index (each host has its own).
The rest are cluster-wide jobs (CLUSTER_JOBS): each runs once per tick for the whole cluster,
whatever the number of hosts (fanwen/jobs/services.py): the near-duplicate check (every
second), order expiry, refund retries, payment reconciliation, earnings and payouts, author statistics, the ops
search panels and the read counts the index has lacked for 5 minutes (every minute), outbox, search-log and job-run pruning (hourly).
`fanwen serve` starts it; in production it refuses to start before `fanwen migrate`."""

from __future__ import annotations

import logging
import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from fanwen.commerce.services import orders_expire_stale, payments_reconcile, refunds_retry_pending
from fanwen.jobs.deploy import require_migrated
from fanwen.jobs.services import Job, JobRunner, jobruns_prune
from fanwen.library.view_counts import views_reindex_due
from fanwen.moderation.services import dupes_check_pending
from fanwen.ops.services import ops_refresh
from fanwen.payouts.services import payouts_tick
from fanwen.search.indexer import WriterBusy, index_sync, outbox_prune
from fanwen.search.services import search_log_prune
from fanwen.stats.services import stats_periods_refresh, stats_rollup

log = logging.getLogger("fanwen.worker")

MINUTE, HOUR = 60, 3600

#: Once per tick for the whole cluster.  A name is the claim's key: keep it when editing a line.
CLUSTER_JOBS = [
    Job("moderation.dupes_check", 1, dupes_check_pending),  # shared tables: once, not once per host
    Job("commerce.orders_expire", MINUTE, orders_expire_stale),
    Job("commerce.refunds_retry", MINUTE, refunds_retry_pending),
    Job("commerce.payments_reconcile", MINUTE, payments_reconcile),  # ask providers about lost notifications
    Job("payouts.tick", MINUTE, payouts_tick),  # release earnings, settle payouts
    Job("stats.rollup", MINUTE, stats_rollup),
    Job("stats.periods", MINUTE, stats_periods_refresh),
    Job("ops.refresh", MINUTE, ops_refresh),  # ops search panels
    Job("search.views_reindex", MINUTE, views_reindex_due),  # read counts lacking in the index for 5 minutes
    Job("search.outbox_prune", HOUR, outbox_prune),
    Job("search.log_prune", HOUR, search_log_prune),
    Job("jobs.prune", HOUR, jobruns_prune),
]


class Command(BaseCommand):
    help = "后台任务：本机搜索索引同步；全集群各执行一次的订单过期、退款重试等"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run each task once (if no host has this tick) and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        require_migrated("worker")
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        runner = JobRunner(CLUSTER_JOBS)
        if options["once"]:
            self._run("search sync", index_sync)
            runner.run_due()
            return
        # The cluster jobs run in their own thread: one that waits on a provider (reconciliation,
        # refunds: up to a timeout per call) never holds up this host's index sync.
        jobs = threading.Thread(target=cluster_jobs_loop, args=(runner, stop), name="cluster-jobs", daemon=True)
        jobs.start()
        while not stop["now"]:
            self._run("search sync", index_sync)  # this host's own index
            close_old_connections()
            time.sleep(1.0)
        jobs.join(timeout=JOBS_STOP_WAIT)

    def _run(self, name: str, task: Any) -> None:
        try:
            task()
        except WriterBusy:
            pass
        except Exception:
            log.exception("worker task %s failed", name)


JOBS_STOP_WAIT = 30.0  # seconds a stopping worker waits for a job in progress


def cluster_jobs_loop(runner: JobRunner, stop: dict[str, bool], pause: float = 1.0) -> None:
    """Every second, the cluster jobs due (each claims its tick; see fanwen/jobs/services.py)."""
    try:
        while not stop["now"]:
            try:
                runner.run_due()
            except Exception:  # never let the thread die: the next second tries again
                log.exception("cluster jobs failed")
            close_old_connections()
            time.sleep(pause)
    finally:
        connection.close()
