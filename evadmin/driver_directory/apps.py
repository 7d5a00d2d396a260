from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "evadmin.driver_directory"
    label = "directory"
    verbose_name = "Directory snapshot"

    def ready(self) -> None:
        from evadmin.audit.selectors import register_id_namer
        from evadmin.driver_directory.selectors import reference_names_of

        register_id_namer(reference_names_of)  # the trail reads tariff and site ids by name
