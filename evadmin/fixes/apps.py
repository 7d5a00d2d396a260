from django.apps import AppConfig


class FixesConfig(AppConfig):
    name = "evadmin.fixes"
