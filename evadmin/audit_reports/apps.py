from django.apps import AppConfig


class AuditReportsConfig(AppConfig):
    name = "evadmin.audit_reports"
    label = "audit_reports"
    verbose_name = "Account audit reports"
