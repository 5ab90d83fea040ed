"""The moved tables take access's names (commerce_entitlement → access_entitlement,
commerce_membershipperiod → access_membershipperiod).  A rename: every row, index and
constraint stays; reversible."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0001_entitlements_from_commerce"),
        ("commerce", "0008_entitlements_to_access"),
    ]

    operations = [
        migrations.AlterModelTable(name="entitlement", table=None),
        migrations.AlterModelTable(name="membershipperiod", table=None),
    ]
