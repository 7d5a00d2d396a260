from django.urls import path

from evadmin.fixes import views

app_name = "fixes"

urlpatterns = [
    path("<str:fix_name>/", views.fix, name="fix"),
]
