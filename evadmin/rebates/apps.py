from django.apps import AppConfig


class RebatesConfig(AppConfig):
    name = "evadmin.rebates"
    verbose_name = "Rebates, subscription and payout method"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part
        from evadmin.rebates.summary import rebates_summary, subscription_summary

        register_summary_part(rebates_summary, label="Rebates")
        register_summary_part(subscription_summary, label="Subscription")
