from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "fanwen.studio"
    label = "studio"
    verbose_name = "作者工作台"
