from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "evadmin.core"
    label = "core"

    def ready(self) -> None:
        from evadmin.core import tables

        tables.install()
