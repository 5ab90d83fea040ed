from django.urls import path

from fanwen.studio import views, views_documents

urlpatterns = [
    path("", views.studio_home, name="studio"),
    path("drafts/<int:draft_id>/", views.draft_edit, name="studio_draft"),
    path("drafts/<int:draft_id>/line/", views.draft_line, name="studio_draft_line"),
    path("documents/<int:document_id>/", views_documents.document_page, name="studio_document"),
    path("drafts/<int:draft_id>/preview/", views.draft_preview, name="studio_draft_preview"),
]
