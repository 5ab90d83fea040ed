from django.urls import path

from fanwen.community import views, views_ops

urlpatterns = [
    path("d/<int:document_id>/favorite/", views.favorite_toggle, name="favorite_toggle"),
    path("d/<int:document_id>/review/", views.review_post, name="review_post"),
    path("d/<int:document_id>/report/", views.report, name="report"),
    path("d/<int:document_id>/complaint/", views.complaint, name="complaint"),
    path("me/history/clear/", views.history_clear, name="history_clear"),
    path("ops/reports/", views_ops.ops_reports, name="ops_reports"),
    path("ops/reports/<int:report_id>/resolve/", views_ops.ops_resolve, name="ops_report_resolve"),
    path("ops/reports/reviews/<int:review_id>/<str:change>/", views_ops.ops_review_hidden, name="ops_review_hidden"),
]
