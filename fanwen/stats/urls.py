from django.urls import path

from fanwen.stats import views

urlpatterns = [
    path("", views.dashboard, name="stats"),
    path("days.csv", views.days_csv, name="stats_days_csv"),
    path("documents.csv", views.documents_csv, name="stats_documents_csv"),
    path("<int:document_id>/", views.document_stats, name="stats_document"),
    path("<int:document_id>/days.csv", views.document_days_csv, name="stats_document_csv"),
]
