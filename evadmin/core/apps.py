from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "evadmin.core"
    label = "core"
