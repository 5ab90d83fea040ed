"""fanwen import PATH... [--category NAME] [--price YUAN] [--json]"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.core.money import BadAmount, yuan_to_fen
from fanwen.core.reader import iter_document_files
from fanwen.library.services import document_import_path
from fanwen.moderation.selectors import matches_of
from fanwen.moderation.services import dupes_check_pending
from fanwen.web.progress import Progress


class Command(BaseCommand):
    help = "导入文件或目录（递归：.txt .md .docx）。每个文件一个事务，按内容去重。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--category", help="分类名称")
        parser.add_argument("--price", help="价格（元），含付费内容的文档必须有价格")
        parser.add_argument("--tags", default="", help="标签，空格或逗号分隔")
        parser.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
        parser.add_argument("--no-duplicate-check", action="store_true",
                            help="不在导入时查重（大批量导入时更快；后台 worker 随后查重，结果见 /ops/review/）")

    def handle(self, *args: Any, **options: Any) -> None:
        price_fen = None
        if options["price"] is not None:
            try:
                price_fen = yuan_to_fen(options["price"])
            except BadAmount as exc:
                raise CommandError(str(exc)) from None
        missing = [p for p in options["paths"] if not p.exists()]
        files = iter_document_files([p for p in options["paths"] if p.exists()])
        as_json = options["json"]
        counts: Counter[str] = Counter()
        progress = Progress(len(files) + len(missing), label="导入")
        for path in missing:
            row = {"path": str(path), "status": "failed", "id": None, "error": f"{path}: no such file", "warning": None}
            self._report(as_json, row)
            counts["failed"] += 1
            progress.advance()
        for path in files:
            outcome = document_import_path(
                path=path, price_fen=price_fen, category_name=options["category"], tags=options["tags"]
            )
            counts[outcome.status] += 1
            counts["warned"] += outcome.warning is not None
            check = outcome.status == "imported" and not options["no_duplicate_check"]
            dupes = _dupes(outcome.id) if check and outcome.id else []
            counts["dupes"] += bool(dupes)
            if as_json:
                self._report(True, {**outcome.as_dict(), "similar": [
                    {"id": m.other_id, "similarity": round(m.similarity, 2)} for m in dupes]})
            elif outcome.status == "failed":
                self.stderr.write(f"失败  {outcome.error}")
            elif outcome.warning:
                self.stderr.write(f"警告  {outcome.path}: {outcome.warning}")
            if dupes and not as_json:
                self.stdout.write(f"疑似重复：{outcome.path} ≈ #{dupes[0].other_id}《{dupes[0].other.title[:40]}》"
                                  f" 相似度 {dupes[0].percent}%")
            progress.advance()
        progress.close()
        if not as_json:
            self.stdout.write(
                f"完成：导入 {counts['imported']} · 未变 {counts['unchanged']} · 失败 {counts['failed']}"
                f" · 警告 {counts['warned']} · 疑似重复 {counts['dupes']}"
                f"（共 {len(files) + len(missing)} 个文件）"
            )
        if counts["failed"]:
            raise SystemExit(1)

    def _report(self, as_json: bool, row: dict[str, Any]) -> None:
        if as_json:
            self.stdout.write(json.dumps(row, ensure_ascii=False))
        else:
            self.stderr.write(f"失败  {row['error']}")


def _dupes(document_id: int) -> list:  # type: ignore[type-arg]
    """The summary's near-duplicate check, run here (after the document's commit) rather than
    waiting for the worker."""
    dupes_check_pending()  # what the worker has not indexed yet (this document among them)
    return matches_of(document_id=document_id, limit=1)
