from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "fanwen.stats"
    label = "stats"
    verbose_name = "作者数据"

    def ready(self) -> None:
        from fanwen.library.view_counts import views_flushed
        from fanwen.stats.services import counts_on_views_flushed

        views_flushed.connect(counts_on_views_flushed, dispatch_uid="stats.daily_reads")
