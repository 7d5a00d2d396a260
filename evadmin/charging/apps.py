from django.apps import AppConfig


class ChargingConfig(AppConfig):
    name = "evadmin.charging"

    def ready(self) -> None:
        from evadmin.charging.summary import last_night_summary
        from evadmin.charging.timeline_source import SOURCE
        from evadmin.core.driver_page import register_summary_part, register_timeline_source

        register_summary_part(last_night_summary, label="Charging")  # the driver's summary strip
        register_timeline_source(SOURCE)  # the driver's timeline
