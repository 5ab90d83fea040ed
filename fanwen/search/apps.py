from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fanwen.search"
    label = "search"
    verbose_name = "搜索"
