from django.apps import AppConfig


class CarbonConfig(AppConfig):
    name = "evadmin.carbon"
    verbose_name = "Carbon and tariff"

    def ready(self) -> None:
        from evadmin.carbon.summary import carbon_summary
        from evadmin.core.driver_page import register_summary_part

        register_summary_part(carbon_summary, label="Grid")
