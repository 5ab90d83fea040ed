from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fanwen.accounts"
    label = "accounts"
    verbose_name = "账户"
