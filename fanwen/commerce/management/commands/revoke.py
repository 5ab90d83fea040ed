"""fanwen revoke USERNAME DOCUMENT_ID"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.commerce.management.commands._common import user_and_document
from fanwen.commerce.services import entitlement_revoke


class Command(BaseCommand):
    help = "撤销用户对某文档的阅读权限"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("document_id")

    def handle(self, *args: Any, **options: Any) -> None:
        user, document = user_and_document(options["username"], options["document_id"])
        count = entitlement_revoke(user_id=user.pk, document_id=document.pk)
        self.stdout.write(f"revoked {count} entitlement(s) of {user.get_username()} to #{document.pk}")
