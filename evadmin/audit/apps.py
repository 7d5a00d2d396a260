from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "evadmin.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from evadmin.audit import signals  # noqa: F401  (connects the auth receivers)
        from evadmin.audit.timeline_source import SOURCE
        from evadmin.core.driver_page import register_timeline_source

        register_timeline_source(SOURCE)  # the driver's timeline
