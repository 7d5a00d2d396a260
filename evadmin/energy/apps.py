from django.apps import AppConfig


class EnergyConfig(AppConfig):
    name = "evadmin.energy"
    verbose_name = "Energy devices"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part
        from evadmin.energy.summary import energy_summary

        register_summary_part(energy_summary, label="Energy devices")
