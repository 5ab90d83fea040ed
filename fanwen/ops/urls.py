"""Only the ops console's own paths: /ops/payouts/ (payouts), /ops/review/ and /ops/reports/
belong to other apps and are registered by them."""

from django.urls import path

from fanwen.ops import views

urlpatterns = [
    path("", views.dashboard, name="ops"),
    path("export/days.csv", views.days_csv, name="ops_days_csv"),
    path("export/searches.csv", views.searches_csv, name="ops_searches_csv"),
    path("audit/", views.audit_log, name="ops_audit"),
]
