from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "fanwen.commerce"
    label = "commerce"
    verbose_name = "交易"
