"""fanwen commerce_tick: expire stale orders, reconcile payment attempts and retry pending refunds (run every minute by `fanwen serve`'s worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fanwen.commerce.services import orders_expire_stale, payments_reconcile, refunds_retry_pending


class Command(BaseCommand):
    help = "过期未支付订单，核对支付，重试待处理退款"

    def handle(self, *args: Any, **options: Any) -> None:
        expired = orders_expire_stale()
        reconciled = payments_reconcile()
        refunds = refunds_retry_pending()
        self.stdout.write(
            f"expired {expired} order(s); payments reconciled {reconciled}; "
            f"refunds done {refunds['done']}, still pending {refunds['pending']}, need staff {refunds['failed']}"
        )
