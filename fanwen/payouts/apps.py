from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "fanwen.payouts"
    label = "payouts"
    verbose_name = "提现"

    def ready(self) -> None:
        from fanwen.commerce.services.ledger import ledger_check_register
        from fanwen.payouts.checks import payouts_check

        ledger_check_register(payouts_check)
