from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "evadmin.tickets"
    verbose_name = "Ticket desk"

    def ready(self) -> None:
        from evadmin.core.driver_page import register_summary_part
        from evadmin.tickets.summary import tickets_summary

        register_summary_part(tickets_summary)  # the driver's summary strip
