from django.apps import AppConfig


class EvenergyConfig(AppConfig):
    name = "evadmin.evenergy"
    label = "evenergy"
