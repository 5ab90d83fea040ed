"""``fanwen takedown DOC_ID --reason TEXT``: infringement.  The document goes for everyone and
every buyer is refunded in full; the reason is shown on their orders.  Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.commerce.services import CommerceError
from fanwen.commerce.services.takedowns import document_takedown
from fanwen.library.management.commands.unpublish import document_id_arg


class Command(BaseCommand):
    help = "侵权下架：所有人不可见，所有买家全额退款，并告知原因"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("document_id")
        parser.add_argument("--reason", required=True, help="下架原因（买家会在订单中看到）")

    def handle(self, *args: Any, **options: Any) -> None:
        document_id = document_id_arg(options["document_id"])
        try:
            result = document_takedown(document_id=document_id, reason=options["reason"])
        except CommerceError as exc:
            raise CommandError(exc.message) from None
        head = "已侵权下架" if result.newly_taken_down else "本来就是已侵权下架"
        self.stdout.write(
            f"#{document_id}: {head}；退款完成 {len(result.refunded)} 笔，退款处理中 {len(result.refund_pending)} 笔，"
            f"取消未支付订单 {result.cancelled} 笔"
        )
        for number, reason in result.failed.items():
            self.stderr.write(f"{number}: 退款失败：{reason}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} 笔订单未能退款，请在后台处理后重新运行")
