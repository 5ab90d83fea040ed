"""fanwen loadexamples: import the bundled examples when the library is empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.core.money import yuan_to_fen
from fanwen.library.selectors import library_is_empty
from fanwen.library.services import document_import_path


class Command(BaseCommand):
    help = "文库为空时导入自带的示例文档（examples/）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None)
        parser.add_argument("--force", action="store_true", help="即使文库不为空也导入（按内容去重）")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"] or Path(settings.EXAMPLES_DIR)
        if not options["force"] and not library_is_empty():
            self.stdout.write("文库已有文档，跳过示例导入。")
            return
        manifest_path = directory / "manifest.json"
        if not manifest_path.exists():
            raise CommandError(f"{manifest_path}: no examples manifest")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name, meta in sorted(manifest.items()):
            outcome = document_import_path(
                path=directory / name, price_fen=yuan_to_fen(meta["price"]), category_name=meta.get("category")
            )
            if outcome.status == "failed":
                raise CommandError(outcome.error or name)
            self.stdout.write(f"{outcome.status}  #{outcome.id}  {name}")
