from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from fanwen.access import views as access_views
from fanwen.access import views_fill as access_fill_views
from fanwen.accounts import views as account_views
from fanwen.accounts import views_author_page
from fanwen.api.main import api
from fanwen.commerce import views as commerce_views
from fanwen.commerce import views_notify
from fanwen.library import feeds
from fanwen.library import views as library_views
from fanwen.library import views_author as author_views
from fanwen.library.sitemaps import SITEMAPS
from fanwen.notices import views as notice_views
from fanwen.search import views as search_views
from fanwen.studio import views as studio_views
from fanwen.web.robots import robots_txt

handler400 = "fanwen.web.views.bad_request"
handler403 = "fanwen.web.views.permission_denied"
handler404 = "fanwen.web.views.page_not_found"
handler500 = "fanwen.web.views.server_error"

admin.autodiscover()  # INSTALLED_APPS has SimpleAdminConfig: the admin modules load here, with the URLs

# The admin's login counts failures with the same throttle as ours (before admin.site.urls is built).
admin.site.login = account_views.login_throttled(admin.site.login)  # type: ignore[method-assign,assignment]
admin.site.site_header = "范文库管理"
admin.site.site_title = "范文库管理"

urlpatterns = [
    path("", library_views.home, name="home"),
    path("c/<str:slug>/", library_views.category_detail, name="category"),
    path("c/<str:slug>/feed/", feeds.CategoryFeed(), name="category_feed"),
    path("d/<int:document_id>/", library_views.document_detail, name="document"),
    path("d/<int:document_id>/download/<str:fmt>/", access_views.document_download, name="document_download"),
    path("d/<int:document_id>/fill/", access_fill_views.document_fill, name="document_fill"),
    path("u/<str:username>/", views_author_page.author_page, name="author"),
    path("search/", search_views.search, name="search"),
    path("feed/", feeds.NewDocumentsAtomFeed(), name="feed_atom"),
    path("feed/rss/", feeds.NewDocumentsFeed(), name="feed_rss"),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("accounts/", include("fanwen.accounts.urls")),
    path("me/", account_views.me, name="me"),
    path("me/downloads/", access_views.my_downloads, name="my_downloads"),
    path("me/fill-profile/clear/", access_fill_views.fill_profile_clear, name="fill_profile_clear"),
    path("me/notices/", notice_views.my_notices, name="my_notices"),
    path("me/orders/", commerce_views.orders_mine, name="orders_mine"),
    path("me/upload/", studio_views.legacy_upload, name="upload"),
    path("studio/", include("fanwen.studio.urls")),
    path("me/uploads/", author_views.my_uploads, name="my_uploads"),
    path("me/wallet/", commerce_views.wallet, name="wallet"),
    path("me/earnings/", commerce_views.earnings, name="earnings"),
    path("studio/stats/", include("fanwen.stats.urls")),  # before any /studio/ include
    path("vip/", commerce_views.vip, name="vip"),
    path("buy/", commerce_views.buy, name="buy"),
    path("orders/<str:number>/", commerce_views.order_detail, name="order"),
    path("payments/alipay/notify", views_notify.alipay_notify, name="alipay_notify"),
    path("payments/wechatpay/notify", views_notify.wechatpay_notify, name="wechatpay_notify"),
    path("payments/sandbox/checkout/<str:number>/", commerce_views.sandbox_checkout, name="sandbox_checkout"),
    path("payments/sandbox/checkout/<str:number>/pay/", commerce_views.sandbox_pay, name="sandbox_pay"),
    path("ops/", include("fanwen.ops.urls")),  # /ops/, /ops/audit/, /ops/export/… only
    path("", include("fanwen.payouts.urls")),  # /me/payouts/ (author), /ops/payouts/ (staff)
    path("", include("fanwen.community.urls")),  # 收藏, 评价, 举报, /ops/reports/
    path("", include("fanwen.moderation.urls")),  # /ops/review/ (staff)
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
