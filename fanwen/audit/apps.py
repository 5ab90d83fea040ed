from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fanwen.audit"
    label = "audit"
    verbose_name = "审计"
