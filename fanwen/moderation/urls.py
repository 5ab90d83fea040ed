from django.urls import path

from fanwen.moderation import views

urlpatterns = [
    path("ops/review/", views.queue, name="ops_review"),
    path("ops/review/decide/", views.decide, name="ops_review_decide"),
    path("ops/review/versions/<int:version_id>/decide/", views.decide_version, name="ops_review_version_decide"),
    path("ops/review/<int:document_id>/", views.detail, name="ops_review_detail"),
    path("ops/review/<int:document_id>/compare/<int:other_id>/", views.compare, name="ops_review_compare"),
]
