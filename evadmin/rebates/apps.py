from django.apps import AppConfig


class RebatesConfig(AppConfig):
    name = "evadmin.rebates"
    verbose_name = "Rebates, subscription and payout method"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part, register_timeline_source
        from evadmin.rebates.summary import rebates_summary, subscription_summary
        from evadmin.rebates.timeline_source import SOURCE

        register_summary_part(rebates_summary, label="Rebates")
        register_summary_part(subscription_summary, label="Subscription")
        register_timeline_source(SOURCE)  # the driver's timeline
