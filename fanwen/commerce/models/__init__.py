"""Commerce models: entitlements, orders and payment attempts, wallet/ledger, audit log.

Money is integer fen everywhere.  See docs/architecture.md ("Money").
"""

from fanwen.commerce.models.audit import AuditLog
from fanwen.commerce.models.entitlements import Entitlement, MembershipPeriod
from fanwen.commerce.models.ledger import Account, LedgerEntry, LedgerTransaction
from fanwen.commerce.models.orders import Order, Payment, Plan, ProviderNotification, Refund

__all__ = [
    "Account",
    "AuditLog",
    "Entitlement",
    "LedgerEntry",
    "LedgerTransaction",
    "MembershipPeriod",
    "Order",
    "Payment",
    "Plan",
    "ProviderNotification",
    "Refund",
]
