"""``fanwen ledger check`` for payouts (registered in apps.py, so ``ledger_check()`` runs it).

For every payout: its account ``payout:<id>`` exists and belongs to the author; it received
exactly one incoming movement, the request (+amount, out of ``author:<id>``); a payout still
open (待审核, 打款中) holds its amount and has no outgoing movement; a settled one holds 0 and has
exactly one outgoing movement (−amount) — to a clearing account when paid (with a reference), back
to ``author:<id>`` when rejected (with a reason).  No in-flight account is negative, and none exists
without its payout.
"""

from __future__ import annotations

from collections import defaultdict

from fanwen.commerce.models import Account, LedgerEntry
from fanwen.commerce.services.ledger import LedgerProblem
from fanwen.payouts.models import Payout

OPEN = (Payout.Status.REQUESTED, Payout.Status.PROCESSING)


def payouts_check() -> list[LedgerProblem]:
    problems: list[LedgerProblem] = []
    accounts = {a.code: a for a in Account.objects.filter(kind=Account.Kind.PAYOUT)}
    for account in accounts.values():
        if account.balance_fen < 0:
            problems.append(LedgerProblem(f"payout account {account.code} is negative: {account.balance_fen}"))
    entries: dict[int, list[LedgerEntry]] = defaultdict(list)
    for entry in LedgerEntry.objects.filter(account__kind=Account.Kind.PAYOUT).order_by("id"):
        entries[entry.account_id].append(entry)
    # The other side of each payout movement: transaction id → [(account, amount)]
    tx_ids = {e.transaction_id for rows in entries.values() for e in rows}
    sides: dict[int, list[tuple[Account, int]]] = defaultdict(list)
    for entry in LedgerEntry.objects.filter(transaction_id__in=tx_ids).exclude(account__kind=Account.Kind.PAYOUT).select_related("account"):
        sides[entry.transaction_id].append((entry.account, entry.amount_fen))
    seen: set[str] = set()
    for payout in Payout.objects.order_by("pk").iterator():
        code = payout.account_code
        seen.add(code)
        where = f"payout #{payout.pk} ({payout.status}, {payout.amount_fen} fen)"
        found = accounts.get(code)
        if found is None:
            problems.append(LedgerProblem(f"{where}: no ledger account {code}"))
            continue
        account = found
        if account.user_id != payout.user_id:
            problems.append(LedgerProblem(f"{where}: {code} belongs to user {account.user_id}, not {payout.user_id}"))
        rows = entries.get(account.pk, [])
        incoming = [e for e in rows if e.amount_fen > 0]
        outgoing = [e for e in rows if e.amount_fen < 0]
        if len(incoming) != 1 or incoming[0].amount_fen != payout.amount_fen or incoming[0].transaction_id != payout.request_tx_id:
            problems.append(LedgerProblem(f"{where}: expected one incoming movement of {payout.amount_fen} (the request), "
                                          f"found {[e.amount_fen for e in incoming]}"))
        else:
            source = sides.get(incoming[0].transaction_id, [])
            if len(source) != 1 or source[0][0].code != f"author:{payout.user_id}" or source[0][1] != -payout.amount_fen:
                problems.append(LedgerProblem(f"{where}: the request did not come out of author:{payout.user_id}"))
        if payout.status in OPEN:
            expected_balance, expected_out = payout.amount_fen, 0
        else:
            expected_balance, expected_out = 0, 1
        if account.balance_fen != expected_balance:
            problems.append(LedgerProblem(f"{where}: in flight {account.balance_fen}, expected {expected_balance}"))
        if len(outgoing) != expected_out:
            problems.append(LedgerProblem(f"{where}: {len(outgoing)} outgoing movement(s), expected {expected_out}"))
        elif outgoing:
            out = outgoing[0]
            other = sides.get(out.transaction_id, [])
            if out.amount_fen != -payout.amount_fen or out.transaction_id != payout.settle_tx_id or len(other) != 1:
                problems.append(LedgerProblem(f"{where}: outgoing movement {out.amount_fen} does not settle the payout"))
            elif payout.status == Payout.Status.PAID and (other[0][0].kind != Account.Kind.CLEARING or not payout.reference):
                problems.append(LedgerProblem(f"{where}: paid, but not out to a clearing account with a reference"))
            elif payout.status == Payout.Status.REJECTED and (other[0][0].code != f"author:{payout.user_id}" or not payout.reason):
                problems.append(LedgerProblem(f"{where}: rejected, but the money did not return to author:{payout.user_id}"))
    for code in sorted(set(accounts) - seen):
        problems.append(LedgerProblem(f"ledger account {code} has no payout"))
    return problems
