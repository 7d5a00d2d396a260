"""The reference lists page, at a URL of its own (not under a driver): `reference:lists`."""

from django.urls import path

from evadmin.drivers import reference_views

app_name = "reference"

urlpatterns = [
    path("", reference_views.reference_lists, name="lists"),
]
