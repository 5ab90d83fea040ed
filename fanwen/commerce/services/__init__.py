"""Commerce writes.  Views, commands and API handlers call these; nothing else writes."""

from fanwen.commerce.services.entitlements import entitlement_grant, entitlement_revoke
from fanwen.commerce.services.errors import CommerceError
from fanwen.commerce.services.ledger import ledger_check
from fanwen.commerce.services.orders import order_create, orders_expire_stale
from fanwen.commerce.services.payments import notification_handle, order_pay_with_wallet, payment_start
from fanwen.commerce.services.reconcile import payments_reconcile
from fanwen.commerce.services.refund_staff import refund_mark_done_offline, refund_retry
from fanwen.commerce.services.refunds import (
    order_refund,
    payment_refund_unmatched,
    refund_attempt,
    refunds_retry_pending,
)
from fanwen.commerce.services.wallet import wallet_credit

__all__ = [
    "CommerceError",
    "entitlement_grant",
    "entitlement_revoke",
    "ledger_check",
    "notification_handle",
    "order_create",
    "order_pay_with_wallet",
    "order_refund",
    "orders_expire_stale",
    "payment_refund_unmatched",
    "payment_start",
    "payments_reconcile",
    "refund_attempt",
    "refund_mark_done_offline",
    "refund_retry",
    "refunds_retry_pending",
    "wallet_credit",
]
