# The constraints of the payment attempts, after 0010 closed the old open rows.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("commerce", "0010_payment_attempts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(condition=models.Q(('check_provider', True)), fields=['checked_at'], name='payment_to_check'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['created', 'pending'])), fields=('order', 'method'), name='payment_one_open_attempt'),
        ),
        migrations.AddConstraint(
            model_name='payment',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['created', 'pending', 'confirmed', 'failed', 'cancelled', 'refunded'])), name='payment_status_known'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'done', 'failed'])), name='refund_status_known'),
        ),
    ]
