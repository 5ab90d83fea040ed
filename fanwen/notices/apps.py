from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "fanwen.notices"
    label = "notices"
    verbose_name = "站内信"
