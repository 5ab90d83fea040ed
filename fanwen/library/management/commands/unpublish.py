"""``fanwen unpublish DOC_ID``: hide a document from listings, search, feeds, the sitemap and
new sales.  Its buyers and grantees keep reading it (我的文库, their order page)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.library import services
from fanwen.library.models import Document


def document_id_arg(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise CommandError(f"文档编号须是数字：{raw!r}") from None


class Command(BaseCommand):
    help = "下架文档：不再公开、不再出售；已购买或获赠的读者仍可阅读"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("document_id")

    def handle(self, *args: Any, **options: Any) -> None:
        document_id = document_id_arg(options["document_id"])
        try:
            changed = services.document_set_status(document_id=document_id, status=Document.Status.UNPUBLISHED)
        except services.DocumentChangeRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"#{document_id}: {'已下架' if changed else '本来就是已下架'}")
