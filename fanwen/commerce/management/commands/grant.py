"""fanwen grant USERNAME DOCUMENT_ID"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fanwen.commerce.management.commands._common import user_and_document
from fanwen.commerce.services import entitlement_grant


class Command(BaseCommand):
    help = "授予用户阅读某文档全文的权限"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("document_id")
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user, document = user_and_document(options["username"], options["document_id"])
        _, created = entitlement_grant(user_id=user.pk, document_id=document.pk, note=options["note"])
        state = "granted" if created else "already granted"
        self.stdout.write(f"{state}: {user.get_username()} may read #{document.pk} {document.title}")
