from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "evadmin.audit"
    label = "audit"
