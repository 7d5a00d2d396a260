from django.apps import AppConfig


class AuditReportsConfig(AppConfig):
    name = "evadmin.data_quality"
    label = "audit_reports"
    verbose_name = "Data-quality reports"
