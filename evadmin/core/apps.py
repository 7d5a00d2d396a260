from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "evadmin.core"
    label = "core"

    def ready(self) -> None:
        # Tasks sent from any process go through evadmin's Celery app. Loaded here, not in
        # evadmin/__init__.py, so importing evadmin.wsgi keeps its own DJANGO_SETTINGS_MODULE default.
        import evadmin.celery  # noqa: F401
