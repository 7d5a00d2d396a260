from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "evadmin.devices"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part, register_timeline_source
        from evadmin.devices.summary import devices_summary
        from evadmin.devices.timeline_source import SOURCE

        register_summary_part(devices_summary, label="Devices")  # the driver's summary strip
        register_timeline_source(SOURCE)  # the driver's timeline
