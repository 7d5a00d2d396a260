from django.urls import path

from evadmin.api_budget import views

app_name = "api_budget"

urlpatterns = [
    path("", views.budget_page, name="page"),
]
