"""fanwen payouts release|retry: release matured earnings; settle Alipay payouts whose outcome is open."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.commerce.services.earnings import earnings_release_due
from fanwen.payouts.services import payouts_retry_processing


class Command(BaseCommand):
    help = "提现：release 把过了结算期的作者分成转为可提现；retry 查询打款中的支付宝转账"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["release", "retry"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "release":
            self.stdout.write(f"released {earnings_release_due()} sale(s) from pending to available")
            return
        counts = payouts_retry_processing()
        self.stdout.write(", ".join(f"{k} {v}" for k, v in counts.items()))
