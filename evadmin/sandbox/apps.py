from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "evadmin.sandbox"
    label = "sandbox"
