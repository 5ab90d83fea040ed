"""fanwen search QUERY [--json]"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.search.indexer import WriterBusy, index_sync
from fanwen.search.selectors import search_documents


class Command(BaseCommand):
    help = "搜索文档（与网站、API 相同的入口）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            index_sync()  # catch up first when no indexer is running
        except WriterBusy:
            pass
        result = search_documents(options["query"], page=options["page"])
        if options["json"]:
            self.stdout.write(json.dumps({
                "total": result.total, "approximate": result.approximate, "page": result.page,
                "has_next": result.has_next, "notices": result.notices,
                "results": [{"id": h.id, "title": h.title, "snippet": str(h.snippet), "category": h.category,
                             "chars": h.chars, "price_fen": h.price_fen} for h in result.results],
            }, ensure_ascii=False, indent=2))
            return
        for notice in result.notices:
            self.stderr.write(notice)
        self.stdout.write(f"{'约' if result.approximate else '共'} {result.total} 篇 · 第 {result.page} 页")
        for h in result.results:
            plain = re.sub(r"</?mark>", "", str(h.snippet))
            self.stdout.write(f"#{h.id}  {h.title}\n    {plain[:80]}")
