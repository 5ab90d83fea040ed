from django.urls import path

from fanwen.payouts import views

urlpatterns = [
    path("me/payouts/", views.my_payouts, name="my_payouts"),
    path("me/payouts/request/", views.payout_request_post, name="payout_request"),
    path("me/payouts/account/", views.payout_account_post, name="payout_account"),
    path("ops/payouts/", views.ops_queue, name="ops_payouts"),
    path("ops/payouts/<int:payout_id>/approve/", views.ops_approve, name="ops_payout_approve"),
    path("ops/payouts/<int:payout_id>/reject/", views.ops_reject, name="ops_payout_reject"),
]
