"""No hot rows (issue #13): the platform's revenue and each provider's clearing account become
families of shards, ``revenue:platform:<k>`` and ``clearing:<method>:<k>``.  The existing single
account of each family becomes shard 0 by renaming it: same row, same entries, same balance, so
no ledger row is written or rewritten and ``ledger check`` holds before and after."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FAMILIES = r"^(revenue:platform|clearing:[^:]+)$"


def to_shards(apps: Any, schema_editor: Any) -> None:
    Account = apps.get_model("commerce", "Account")
    for account in Account.objects.filter(kind__in=("revenue", "clearing"), code__regex=FAMILIES):
        if not Account.objects.filter(code=f"{account.code}:0").exists():
            Account.objects.filter(pk=account.pk).update(code=f"{account.code}:0")


def from_shards(apps: Any, schema_editor: Any) -> None:
    """Shard 0 gets its old name back; other shards stay as they are (valid accounts, all balanced)."""
    Account = apps.get_model("commerce", "Account")
    for account in Account.objects.filter(kind__in=("revenue", "clearing"), code__regex=r"^(revenue:platform|clearing:[^:]+):0$"):
        base = account.code[: -len(":0")]
        if not Account.objects.filter(code=base).exists():
            Account.objects.filter(pk=account.pk).update(code=base)


class Migration(migrations.Migration):
    dependencies = [("commerce", "0009_earnings_states")]

    operations = [migrations.RunPython(to_shards, from_shards)]
