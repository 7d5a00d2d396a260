from django.urls import path

from evadmin.charging import views

app_name = "charging"

urlpatterns = [
    path("", views.charging_panel, name="panel"),
    path("logs/", views.charging_logs, name="logs"),
    path("nights/<str:night>/", views.night_detail, name="night"),
    path("nights/<str:night>/check/", views.night_check, name="night_check"),
    path("<str:sub_session_id>/", views.sub_session_detail, name="sub_session"),
]
