from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "evadmin.users"
    label = "users"
