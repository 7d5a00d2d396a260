from django.urls import path

from evadmin.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.driver_notifications, name="panel"),
    path("preferences/", views.driver_preferences, name="preferences"),
    path("preferences/edit/", views.preferences_edit, name="edit_preferences"),
    path("<str:notification_id>/", views.notification_detail, name="detail"),
]
