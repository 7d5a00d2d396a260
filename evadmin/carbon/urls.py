from django.urls import path

from evadmin.carbon import views

app_name = "carbon"

urlpatterns = [
    path("", views.driver_carbon, name="panel"),
    path("tariff-prices/", views.driver_tariff_prices, name="prices"),
]
