"""The verdict rules page, at a URL of its own (not under a driver): `verdicts:rules`."""

from django.urls import path

from evadmin.charging import verdict_views

app_name = "verdicts"

urlpatterns = [
    path("", verdict_views.verdict_rule_list, name="rules"),
]
