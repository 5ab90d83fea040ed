"""Commerce models: orders and payment attempts, wallet/ledger, audit log.

Reading rights (entitlements, membership periods) live in ``fanwen.access``.

Money is integer fen everywhere.  See docs/architecture.md ("Money").
"""

from fanwen.commerce.models.audit import AuditLog
from fanwen.commerce.models.ledger import Account, LedgerEntry, LedgerTransaction
from fanwen.commerce.models.orders import Order, Payment, Plan, ProviderNotification, Refund

__all__ = [
    "Account",
    "AuditLog",
    "LedgerEntry",
    "LedgerTransaction",
    "Order",
    "Payment",
    "Plan",
    "ProviderNotification",
    "Refund",
]
