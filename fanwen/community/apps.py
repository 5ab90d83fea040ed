from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "fanwen.community"
    label = "community"
    verbose_name = "社区：举报、收藏、评价"
