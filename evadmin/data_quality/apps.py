from django.apps import AppConfig


class AuditReportsConfig(AppConfig):
    name = "evadmin.data_quality"
    label = "audit_reports"
    verbose_name = "Data-quality reports"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part
        from evadmin.data_quality.summary import data_quality_summary

        register_summary_part(data_quality_summary, label="Data quality")  # the driver's summary strip
