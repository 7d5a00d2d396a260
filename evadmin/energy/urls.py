from django.urls import path

from evadmin.energy import views

app_name = "energy"

urlpatterns = [
    path("solar-arrays/", views.driver_solar_arrays, name="solar"),
    path("inverters/", views.driver_inverters, name="inverters"),
    path("home-batteries/", views.driver_home_batteries, name="batteries"),
    path("hem-systems/", views.driver_hem_systems, name="hem"),
    path("hem-systems/<str:hem_id>/live-power/", views.hem_live_power, name="live_power"),
    path("hem-systems/<str:hem_id>/energy-stats/", views.hem_energy_stats, name="energy_stats"),
]
