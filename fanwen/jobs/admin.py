from django.contrib import admin
from django.http import HttpRequest

from fanwen.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("name", "tick", "host", "state", "started_at", "finished_at", "error")
    list_filter = ("name", "state")
    readonly_fields = (*list_display, "interval_seconds")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False  # a deleted row of the current tick would let a second host claim it again

    def has_change_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False
