from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "evadmin.bulk"
    label = "bulk"
    verbose_name = "Bulk jobs"
