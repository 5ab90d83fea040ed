from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "fanwen.moderation"
    label = "moderation"
    verbose_name = "审核"

    def ready(self) -> None:
        from fanwen.library.changes import documents_changed_extra_signal
        from fanwen.moderation.listeners import dupes_on_documents_changed

        documents_changed_extra_signal.connect(dupes_on_documents_changed, dispatch_uid="moderation.dupes")
