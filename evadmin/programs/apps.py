from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "evadmin.programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part
        from evadmin.programs.summary import programs_part

        register_summary_part(programs_part, label="Programs")
