from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "fanwen.access"
    label = "access"
    verbose_name = "阅读权限"
