from django.contrib import admin
from django.urls import path

from fanwen.library import views as library_views

handler400 = "fanwen.web.views.bad_request"
handler403 = "fanwen.web.views.permission_denied"
handler404 = "fanwen.web.views.page_not_found"
handler500 = "fanwen.web.views.server_error"

admin.site.site_header = "范文库管理"
admin.site.site_title = "范文库管理"

urlpatterns = [
    path("", library_views.home, name="home"),
    path("c/<str:slug>/", library_views.category_detail, name="category"),
    path("d/<int:document_id>/", library_views.document_detail, name="document"),
    path("admin/", admin.site.urls),
]
