"""Posting to the double-entry ledger, and checking it.  See models/ledger.py for the model."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from fanwen.commerce.models import Account, LedgerEntry, LedgerTransaction, Order
from fanwen.commerce.services.errors import InsufficientBalance

REVENUE = "revenue:platform"  # a family of shards revenue:platform:<k>: see revenue_account
PROMOTION = "promotion:platform"
SUSPENSE = "suspense:platform"
REFUNDING = "refunding:platform"


def account_get(code: str, kind: str, user_id: int | None = None) -> Account:
    account = Account.objects.filter(code=code).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(code=code, kind=kind, user_id=user_id)
    except IntegrityError:
        return Account.objects.get(code=code)


def wallet_account(user_id: int) -> Account:
    return account_get(f"wallet:{user_id}", Account.Kind.WALLET, user_id)


def author_account(user_id: int) -> Account:
    return account_get(f"author:{user_id}", Account.Kind.AUTHOR, user_id)


def author_pending_account(user_id: int) -> Account:
    """The author's share of sales still inside the holding period (``FANWEN_PAYOUT_HOLD_DAYS``)."""
    return account_get(f"author:{user_id}:pending", Account.Kind.PENDING, user_id)


def shard_count() -> int:
    """How many rows the platform's revenue and each provider's clearing money are spread over
    (``FANWEN_LEDGER_SHARDS``, default 16), so that concurrent sales do not queue on one row lock."""
    return max(int(getattr(settings, "FANWEN_LEDGER_SHARDS", 16)), 1)


def shard_code(family: str, key: int) -> str:
    return f"{family}:{key % shard_count()}"


def revenue_account(key: int) -> Account:
    """The platform's revenue shard for ``key`` (a sale passes its order id).  The platform's
    revenue is the sum of every ``revenue:platform:<k>`` (:func:`family_balance_fen`)."""
    return account_get(shard_code(REVENUE, key), Account.Kind.REVENUE)


def clearing_account(method: str, key: int = 0) -> Account:
    """Money held at a provider, in shards ``clearing:<method>:<k>``: a payment and its refund
    pass the order id; rare movements (payouts) use shard 0."""
    return account_get(shard_code(f"clearing:{method}", key), Account.Kind.CLEARING)


def family_balance_fen(family: str) -> int:
    """The balance of a sharded account family (``revenue:platform``, ``clearing:alipay``): the sum
    of its shards (and of the family's own unsharded row, if an old one is left)."""
    rows = Account.objects.filter(code__startswith=family, code__regex=rf"^{re.escape(family)}(:[0-9]+)?$")
    return rows.aggregate(total=Sum("balance_fen"))["total"] or 0


def platform_account(code: str) -> Account:
    kind = {
        PROMOTION: Account.Kind.PROMOTION,
        SUSPENSE: Account.Kind.SUSPENSE,
        REFUNDING: Account.Kind.REFUNDING,
    }[code]
    return account_get(code, kind)


def ledger_post(
    *, kind: str, movements: list[tuple[Account, int]], order: Order | None = None, memo: str = ""
) -> LedgerTransaction:
    """One balanced transaction.  Balances are updated in ascending account id (lock order).
    A wallet that would go negative is refused by the database constraint as well."""
    movements = [(a, amt) for a, amt in movements if amt != 0]
    if not movements or sum(amt for _, amt in movements) != 0:
        raise ValueError(f"unbalanced ledger transaction {kind}: {[(a.code, amt) for a, amt in movements]}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_post must run inside a transaction")
    tx = LedgerTransaction.objects.create(kind=kind, order=order, memo=memo[:200])
    LedgerEntry.objects.bulk_create(LedgerEntry(transaction=tx, account=a, amount_fen=amt) for a, amt in movements)
    totals: dict[int, int] = {}
    for account, amount in movements:
        totals[account.pk] = totals.get(account.pk, 0) + amount
    try:
        with transaction.atomic():  # one savepoint for all the updates, not one each (round trips)
            for account_id in sorted(totals):
                Account.objects.filter(pk=account_id).update(balance_fen=F("balance_fen") + totals[account_id])
    except IntegrityError as exc:
        raise InsufficientBalance("余额不足") from exc
    return tx


@dataclass(frozen=True)
class LedgerProblem:
    what: str


# Further checks other apps add (payouts registers its own in AppConfig.ready).
def ledger_checks_extra() -> list[Callable[[], list[LedgerProblem]]]:
    """The other apps' ledger checks (``FANWEN_LEDGER_CHECKS``: dotted paths, e.g. payouts'),
    imported when a check runs — not when Django starts."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return [import_string(path) for path in getattr(settings, "FANWEN_LEDGER_CHECKS", ())]


def ledger_check() -> list[LedgerProblem]:
    """Every transaction balances; every stored balance equals the sum of its entries;
    no wallet and no pending earnings are negative; all balances together sum to zero;
    and whatever the registered checks (payouts) find."""
    problems: list[LedgerProblem] = []
    unbalanced = (
        LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount_fen")).exclude(total=0)
    )
    for row in unbalanced:
        problems.append(LedgerProblem(f"transaction #{row['transaction_id']} sums to {row['total']}, not 0"))
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)
    for pk in empty:
        problems.append(LedgerProblem(f"transaction #{pk} has no entries"))
    sums = dict(LedgerEntry.objects.values_list("account_id").annotate(total=Sum("amount_fen")).values_list("account_id", "total"))
    grand = 0
    for account in Account.objects.all().order_by("pk"):
        derived = sums.get(account.pk, 0) or 0
        grand += account.balance_fen
        if derived != account.balance_fen:
            problems.append(LedgerProblem(f"account {account.code}: stored {account.balance_fen}, entries sum to {derived}"))
        if account.kind == Account.Kind.WALLET and account.balance_fen < 0:
            problems.append(LedgerProblem(f"wallet {account.code} is negative: {account.balance_fen}"))
        if account.kind == Account.Kind.PENDING and account.balance_fen < 0:
            problems.append(LedgerProblem(f"pending earnings {account.code} are negative: {account.balance_fen}"))
    if grand != 0:
        problems.append(LedgerProblem(f"all balances sum to {grand}, not 0"))
    for check in ledger_checks_extra():
        problems.extend(check())
    return problems
