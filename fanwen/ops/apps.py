from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "fanwen.ops"
    label = "ops"
    verbose_name = "运营后台"

    def ready(self) -> None:
        from fanwen.library.view_counts import views_flushed
        from fanwen.ops.services import site_views_on_flushed

        views_flushed.connect(site_views_on_flushed, dispatch_uid="ops.site_views")
