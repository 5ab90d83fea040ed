from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fanwen.web"
    label = "web"
    verbose_name = "网站"
