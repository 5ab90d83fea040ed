"""fanwen reindex: rebuild the search index from the database, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from fanwen.search.indexer import index_rebuild
from fanwen.web.progress import Progress


class Command(BaseCommand):
    help = "从数据库重建搜索索引（只含标题、免费部分和公开信息）"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        bar: dict[str, Progress] = {}

        def progress(done: int, total: int) -> None:
            if "p" not in bar:
                bar["p"] = Progress(total, label="重建索引")
            bar["p"].advance(done - bar["p"].done)

        count = index_rebuild(progress=progress)
        if "p" in bar:
            bar["p"].close()
        elapsed = time.monotonic() - started
        self.stdout.write(f"indexed {count} documents in {elapsed:.1f}s ({count / max(elapsed, 1e-9):.0f} docs/s)")
