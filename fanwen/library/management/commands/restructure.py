"""fanwen restructure: classify every stored document's blocks again with the current rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fanwen.library.models import Document
from fanwen.library.services import document_restructure


class Command(BaseCommand):
    help = "按当前规则重新识别所有文档的标题层级与大纲（正文与字数不变）"

    def handle(self, *args: Any, **options: Any) -> None:
        changed = sum(
            document_restructure(document_id=pk) for pk in Document.objects.order_by("id").values_list("pk", flat=True).iterator()
        )
        self.stdout.write(f"{changed} documents changed")
