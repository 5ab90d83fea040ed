"""fanwen useradd USERNAME --password PW [--staff]"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fanwen.accounts.services import user_create


class Command(BaseCommand):
    help = "创建用户（--staff 为管理员）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--staff", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if get_user_model().objects.filter(username=options["username"]).exists():
            raise CommandError(f"user {options['username']!r} already exists")
        try:
            user = user_create(username=options["username"], password=options["password"], is_staff=options["staff"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"created {'staff ' if getattr(user, 'is_staff', False) else ''}user {user.get_username()} (#{user.pk})")
