from django.urls import path

from evadmin.devices import views

app_name = "devices"

urlpatterns = [
    path("", views.device_list, name="list"),
    path("vehicles/", views.device_kind_list, {"kind": "vehicles"}, name="vehicles"),
    path("chargers/", views.device_kind_list, {"kind": "chargers"}, name="chargers"),
    path("evses/<str:evse_id>/connectivity/", views.evse_connectivity, name="connectivity"),
    path("vehicles/<str:vehicle_id>/errors/", views.vehicle_errors, name="vehicle_errors"),
]
