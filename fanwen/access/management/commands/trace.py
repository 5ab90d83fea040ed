"""fanwen trace FILE|-  — name the reader whose copy a leaked text came from (light fingerprint)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.access.trace import TraceResult, UnreadableFile, text_of, trace_text


class Command(BaseCommand):
    help = "从泄露的文件（.docx、.pdf、纯文本）或标准输入中读取指纹，找出是哪位读者的副本"
    # A read-only lookup: skip the system checks (they import every URL and API module,
    # about a second of start-up); `fanwen check` is where they run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="文件路径；- 表示从标准输入读取纯文本")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        if name == "-":
            data, name = sys.stdin.buffer.read(), "stdin.txt"
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"找不到文件：{name}")
            data = path.read_bytes()
        try:
            result = trace_text(text_of(data, name))
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(self.describe(result))
        if not result.match:
            sys.exit(1)

    @staticmethod
    def describe(result: TraceResult) -> str:
        evidence = f"读到 {result.bits} 位指纹，误判概率 ≤ {result.false_match_probability:.3g}（候选 {result.candidates} 个）"
        h = result.holder
        if h is None:
            return f"未能确定读者：{result.reason}。{evidence}"
        when = h.delivered_at.isoformat() if h.delivered_at else "（网页或接口阅读，无下载记录）"
        return "\n".join([
            f"文档：#{h.document_id} {result.document_title}",
            f"读者：{h.username}",
            f"依据：{h.via}",
            f"交付时间：{when}",
            f"证据：{evidence}",
        ])
