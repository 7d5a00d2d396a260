from django.urls import path

from evadmin.rebates import views

app_name = "rebates"

urlpatterns = [
    path("", views.driver_rebates, name="panel"),
    path("subscription/", views.driver_subscription, name="subscription"),
    path("payout-method/", views.driver_payout_method, name="payout"),
    path("<str:rebate_id>/submit/", views.rebate_submit, name="submit"),
]
