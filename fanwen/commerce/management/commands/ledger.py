"""fanwen ledger check: every transaction balances; every stored balance matches its entries; pending
earnings are never negative; and the checks other apps register (payouts: each payout's in-flight
account holds its amount until it is settled by exactly one outgoing movement)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.commerce.models import Account, LedgerTransaction
from fanwen.commerce.services import ledger_check
from fanwen.commerce.services.ledger import REVENUE, family_balance_fen
from fanwen.core.money import fen_to_yuan


class Command(BaseCommand):
    help = "账本检查：每笔凭证借贷平衡，每个账户余额与分录一致，提现在途与结清一一对应"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_check()
        accounts = Account.objects.count()
        transactions = LedgerTransaction.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL  {problem.what}")
            self.stderr.write(f"ledger check failed: {len(problems)} problem(s) in {transactions} transactions")
            raise SystemExit(1)
        self.stdout.write(f"ledger ok: {transactions} transactions balance, {accounts} account balances match their entries, payouts settle exactly once")
        shards = Account.objects.filter(kind=Account.Kind.REVENUE).count()
        self.stdout.write(f"platform revenue ¥{fen_to_yuan(family_balance_fen(REVENUE))} in {shards} shard(s) of {REVENUE}")
