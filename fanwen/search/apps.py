from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fanwen.search"
    label = "search"
    verbose_name = "搜索"

    def ready(self) -> None:
        from fanwen.library.changes import documents_changed_signal
        from fanwen.search.services import index_outbox_on_documents_changed

        documents_changed_signal.connect(index_outbox_on_documents_changed, dispatch_uid="search.index_outbox")
