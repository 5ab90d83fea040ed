"""Refund.reverses_sale (a boolean) becomes Refund.kind (sale | suspense), and the database
holds the rules: one sale payment per order, one sale reversal per order."""

from django.db import migrations, models


def kind_from_flag(apps, schema_editor):
    Refund = apps.get_model("commerce", "Refund")
    Refund.objects.filter(reverses_sale=False).update(kind="suspense")


def flag_from_kind(apps, schema_editor):
    Refund = apps.get_model("commerce", "Refund")
    Refund.objects.filter(kind="suspense").update(reverses_sale=False)


class Migration(migrations.Migration):

    dependencies = [
        ('commerce', '0006_chinese_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='refund',
            name='kind',
            field=models.CharField(choices=[('sale', '撤销销售'), ('suspense', '退回重复支付')], default='sale', max_length=10, verbose_name='退款类型'),
        ),
        migrations.RunPython(kind_from_flag, flag_from_kind),
        migrations.RemoveField(
            model_name='refund',
            name='reverses_sale',
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('held_in_suspense', False), ('status__in', ['confirmed', 'refunded'])), fields=('order',), name='payment_one_sale_per_order'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'sale')), fields=('order',), name='refund_one_sale_reversal_per_order'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['sale', 'suspense'])), name='refund_kind_known'),
        ),
    ]
