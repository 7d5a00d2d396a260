from django.apps import AppConfig


class ApiBudgetConfig(AppConfig):
    name = "evadmin.api_budget"
    label = "api_budget"
    verbose_name = "API budget"
