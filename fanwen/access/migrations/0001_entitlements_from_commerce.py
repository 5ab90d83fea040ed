"""Entitlements and membership periods move from ``commerce`` to ``access``.

State only: the tables, their rows, indexes and constraints stay as they are (this migration
and ``commerce.0008`` change what Django believes, not the database).  ``0002`` then renames
the tables.  The content types are moved too, so staff permissions and admin history follow."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_to(app_label_from, app_label_to):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in ("entitlement", "membershipperiod"):
            if not ContentType.objects.filter(app_label=app_label_to, model=model).exists():
                ContentType.objects.filter(app_label=app_label_from, model=model).update(app_label=app_label_to)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("commerce", "0007_refund_kind_and_one_sale_payment"),
        ("library", "0004_document_takedown"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Entitlement",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("source", models.CharField(choices=[("grant", "赠送"), ("purchase", "购买")], max_length=10, verbose_name="来源")),
                        ("granted_at", models.DateTimeField(auto_now_add=True, verbose_name="授予时间")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="到期时间")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
                        ("note", models.CharField(blank=True, max_length=200, verbose_name="备注")),
                        ("document", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="entitlements", to="library.document", verbose_name="文档")),
                        ("order", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="entitlements", to="commerce.order", verbose_name="订单")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="entitlements", to=settings.AUTH_USER_MODEL, verbose_name="用户")),
                    ],
                    options={
                        "verbose_name": "阅读权限",
                        "verbose_name_plural": "阅读权限",
                        "db_table": "commerce_entitlement",
                        "indexes": [models.Index(fields=["user", "document"], name="entitlement_user_doc")],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("revoked_at__isnull", True)), fields=("user", "document"), name="entitlement_one_active")],
                    },
                ),
                migrations.CreateModel(
                    name="MembershipPeriod",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("starts_at", models.DateTimeField(verbose_name="开始时间")),
                        ("ends_at", models.DateTimeField(verbose_name="结束时间")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="撤销时间")),
                        ("order", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="membership_period", to="commerce.order", verbose_name="订单")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="membership_periods", to=settings.AUTH_USER_MODEL, verbose_name="用户")),
                    ],
                    options={
                        "verbose_name": "会员期",
                        "verbose_name_plural": "会员期",
                        "db_table": "commerce_membershipperiod",
                        "indexes": [models.Index(fields=["user", "ends_at"], name="membership_user_end")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="membership_positive")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to("commerce", "access"), content_types_to("access", "commerce")),
    ]
