"""fanwen inspect FILE [--json]: read one file and show what fanwen sees in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.core import structure
from fanwen.core.format import Document, FormatError
from fanwen.core.reader import read_path


def inspect_dict(document: Document) -> dict[str, Any]:
    counts = structure.char_count(document.blocks)
    infos = structure.analyse([b.text for b in document.blocks])
    return {
        "title": document.title,
        "chars": {"total": counts.total, "free": counts.free, "paid": counts.paid},
        "blocks": [
            {"text": b.text, "paid": b.paid, "kind": i.kind, "level": i.level, "chars": structure.count_chars(b.text)}
            for b, i in zip(document.blocks, infos, strict=True)
        ],
        "outline": [
            {"text": o.text, "level": o.level, "paid": o.paid, "block": o.index} for o in structure.outline(document)
        ],
        "placeholders": sorted({p for b in document.blocks for p in structure.placeholders(b.text)}),
    }


class Command(BaseCommand):
    help = "读取一个文件并显示标题、字数、结构（--json 输出机器可读格式）"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            document = read_path(
                path, max_bytes=settings.FANWEN_MAX_DOCUMENT_BYTES, max_blocks=settings.FANWEN_MAX_BLOCKS
            )
        except FormatError as exc:
            raise CommandError(exc.reason) from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        data = inspect_dict(document)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        chars = data["chars"]
        self.stdout.write(f"标题  {data['title']}")
        self.stdout.write(
            f"字数  共 {chars['total']} 字 · 免费 {chars['free']} 字 · 付费 {chars['paid']} 字 · {len(data['blocks'])} 段"
        )
        if data["placeholders"]:
            self.stdout.write(f"占位  {'、'.join(data['placeholders'])}")
        self.stdout.write("大纲")
        for entry in data["outline"]:
            mark = "¥ " if entry["paid"] else "  "
            self.stdout.write(f"  {mark}{'  ' * (entry['level'] - 1)}{entry['text']}")
