from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "evadmin.drivers"
    label = "users"
