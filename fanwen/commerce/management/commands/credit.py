"""fanwen credit USERNAME YUAN --reason TEXT"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.commerce.services import CommerceError, wallet_credit
from fanwen.core.money import BadAmount, fen_to_yuan, yuan_to_fen


class Command(BaseCommand):
    help = "给用户余额加款（记入账本与审计日志）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("yuan")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        try:
            wallet = wallet_credit(user=user, amount_fen=yuan_to_fen(options["yuan"]), reason=options["reason"])
        except (BadAmount, CommerceError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"credited ¥{options['yuan']} to {user.get_username()}; balance ¥{fen_to_yuan(wallet.balance_fen)}")
