"""Entitlements and membership periods now belong to ``access`` (see
``access.0001_entitlements_from_commerce``).  State only: no table is dropped, no row is lost."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("commerce", "0007_refund_kind_and_one_sale_payment"),
        ("access", "0001_entitlements_from_commerce"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Entitlement"),
                migrations.DeleteModel(name="MembershipPeriod"),
            ],
            database_operations=[],
        ),
    ]
