from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "evadmin.tickets"
    verbose_name = "Ticket desk"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part, register_timeline_source
        from evadmin.tickets.summary import tickets_summary
        from evadmin.tickets.timeline_source import SOURCE

        register_summary_part(tickets_summary, label="Tickets")  # the driver's summary strip
        register_timeline_source(SOURCE)  # the driver's timeline
