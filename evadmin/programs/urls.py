from django.urls import path

from evadmin.programs import views

app_name = "programs"

urlpatterns = [
    path("drivers/<str:user_id>/", views.driver_programs, name="driver"),
]
