from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "fanwen.payouts"
    label = "payouts"
    verbose_name = "提现"
