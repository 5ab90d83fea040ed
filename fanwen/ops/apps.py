from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "fanwen.ops"
    label = "ops"
    verbose_name = "运营后台"
