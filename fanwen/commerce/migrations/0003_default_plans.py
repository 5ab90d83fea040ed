"""Data: the two default membership plans (editable in the admin)."""

from django.db import migrations

PLANS = [
    {"code": "month", "name": "月卡", "days": 30, "price_fen": 3000, "position": 1},
    {"code": "year", "name": "年卡", "days": 365, "price_fen": 19800, "position": 2},
]


def add_plans(apps, schema_editor):
    Plan = apps.get_model("commerce", "Plan")
    for plan in PLANS:
        Plan.objects.get_or_create(code=plan["code"], defaults=plan)


def remove_plans(apps, schema_editor):
    Plan = apps.get_model("commerce", "Plan")
    Plan.objects.filter(code__in=[p["code"] for p in PLANS], orders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("commerce", "0002_orders_payments_ledger")]
    operations = [migrations.RunPython(add_plans, remove_plans)]
