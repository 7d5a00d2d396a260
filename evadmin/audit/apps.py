from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "evadmin.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from evadmin.audit import signals  # noqa: F401  (connects the auth receivers)
