from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "evadmin.accounts"
    label = "accounts"
