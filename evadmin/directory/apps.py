from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "evadmin.directory"
    label = "directory"
    verbose_name = "Directory snapshot"
