from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "evadmin.driver_directory"
    label = "directory"
    verbose_name = "Directory snapshot"
