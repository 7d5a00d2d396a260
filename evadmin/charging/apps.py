from django.apps import AppConfig


class ChargingConfig(AppConfig):
    name = "evadmin.charging"

    def ready(self) -> None:
        from evadmin.charging.summary import last_night_summary
        from evadmin.core.driver_page import register_summary_part

        register_summary_part(last_night_summary)  # the driver's summary strip
