from django.urls import path

from evadmin.programs import views

app_name = "programs"

urlpatterns = [
    path("drivers/<str:user_id>/", views.driver_programs, name="driver"),
    path("drivers/<str:user_id>/<str:program_id>/join/", views.program_action, {"action": "join"}, name="join"),
    path("drivers/<str:user_id>/<str:program_id>/verify/", views.program_action, {"action": "verify"}, name="verify"),
    path("drivers/<str:user_id>/<str:program_id>/<str:part>/", views.program_part, name="part"),
]
