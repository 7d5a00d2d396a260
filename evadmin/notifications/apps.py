from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "evadmin.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part, register_timeline_source
        from evadmin.notifications.summary import notifications_part
        from evadmin.notifications.timeline_source import SOURCE

        register_summary_part(notifications_part, label="Notifications")
        register_timeline_source(SOURCE)  # the driver's timeline
