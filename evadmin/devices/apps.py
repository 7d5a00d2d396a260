from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "evadmin.devices"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part
        from evadmin.devices.summary import devices_summary

        register_summary_part(devices_summary)  # the driver's summary strip
